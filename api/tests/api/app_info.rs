//! `GET /api/oauth/app/{client_id}`: what the consent screen shows.

use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn active_app_is_described_with_its_scopes() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let r = app
        .get(&format!("/api/oauth/app/{}", client.client_id))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({
            "client_id": client.client_id,
            "name": "Test App",
            "description": "An app for tests",
            "logo_url": "https://example.com/logo.png",
            "scopes": [
                {"name": "EXECUTE_GRAPH", "description": "Execute agents/graphs (Deprecated: RUN_AGENT replaces it)"},
                {"name": "READ_GRAPH", "description": "Read agent/graph definitions and execution results"},
            ],
            "open_scopes": [
                {"name": "openid", "description": "Know it is you (an account id that tells it nothing else)"},
                {"name": "profile", "description": "See your name and username"},
                {"name": "email", "description": "See your email address"},
                {"name": "offline_access", "description": "Keep access while you are not using it"},
            ],
            "plain_pkce_allowed": true,
            "registration": "operator",
            "runs_on_device": true,
            "resources": [],
            "granted_scopes": [],
            "granted_resources": [],
            "remembers": true,
        })
    );
    assert!(r.body.get("client_secret").is_none());
}

#[tokio::test]
async fn unknown_and_disabled_apps_are_not_found() {
    let app = spawn_app().await;
    let r = app.get("/api/oauth/app/agpt_client_nope").await;
    assert_eq!((r.status, r.error()), (404, "not_found"));
    let client = app.default_app().await;
    app.set_disabled(&client, true).await;
    let r = app
        .get(&format!("/api/oauth/app/{}", client.client_id))
        .await;
    assert_eq!((r.status, r.error()), (404, "not_found"));
}

#[tokio::test]
async fn a_redirect_uri_can_be_checked_before_consent() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let path = |uri: &str| {
        format!(
            "/api/oauth/app/{}?redirect_uri={}",
            client.client_id,
            url::form_urlencoded::byte_serialize(uri.as_bytes()).collect::<String>()
        )
    };
    assert_eq!(app.get(&path(&client.redirect_uri)).await.status, 200);
    for bad in [
        "https://evil.example/callback",
        "http://localhost:8080/callback/",
    ] {
        let r = app.get(&path(bad)).await;
        assert_eq!(
            (r.status, r.error()),
            (400, "redirect_uri_not_registered"),
            "{bad}: the page picks its screen by this code"
        );
    }
}

/// One source of truth for scope wording: the server words every scope in
/// the page's language (`ui_locales`, else `Accept-Language`, else English),
/// on the consent screen's app and on the connected-apps page.
#[tokio::test]
async fn scopes_come_worded_in_the_language_asked() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let words = |r: &crate::helpers::Reply, field: &str| -> Vec<String> {
        r.body[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["description"].as_str().unwrap().to_owned())
            .collect()
    };
    let url = format!("/api/oauth/app/{}", client.client_id);
    let de = app.get(&format!("{url}?ui_locales=de")).await;
    assert_eq!(
        words(&de, "scopes"),
        [
            "Agenten/Graphen ausführen (Veraltet: ersetzt durch RUN_AGENT)",
            "Agenten-/Graph-Definitionen und Ausführungsergebnisse lesen"
        ]
    );
    assert_eq!(
        words(&de, "open_scopes")[3],
        "Zugriff behalten, auch wenn Sie sie nicht nutzen"
    );
    let by_header = crate::helpers::send(
        app.browser
            .get(app.url(&url))
            .header("accept-language", "fr-CH, de;q=0.8"),
    )
    .await;
    assert_eq!(words(&by_header, "scopes"), words(&de, "scopes"));
    let asked_wins = crate::helpers::send(
        app.browser
            .get(app.url(&format!("{url}?ui_locales=en")))
            .header("accept-language", "de"),
    )
    .await;
    assert_eq!(
        words(&asked_wins, "scopes")[1],
        "Read agent/graph definitions and execution results"
    );
    let unknown = app.get(&format!("{url}?ui_locales=ja")).await;
    assert_eq!(
        words(&unknown, "scopes")[1],
        "Read agent/graph definitions and execution results"
    );

    // The connected-apps page too.
    app.signup("worded@example.com").await.ok();
    app.get_code(&client).await;
    let apps = app.get("/api/account/apps?ui_locales=de").await;
    assert_eq!(
        apps.body["apps"][0]["scopes"][1]["description"],
        "Agenten-/Graph-Definitionen und Ausführungsergebnisse lesen"
    );
}
