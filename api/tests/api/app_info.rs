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
                {"name": "EXECUTE_GRAPH", "description": "Execute agents/graphs"},
                {"name": "READ_GRAPH", "description": "Read agent/graph definitions and execution results"},
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
