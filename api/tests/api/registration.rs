//! Dynamic client registration (RFC 7591) and the native-app redirect rules
//! (RFC 8252 §7) it relies on.

use crate::helpers::{
    send, spawn_app, spawn_app_with, Reply, TestApp, TestClient, CHALLENGE, VERIFIER,
};
use api::config::RegistrationMode;
use serde_json::{json, Value};
use shared::TokenResponse;

async fn register(app: &TestApp, body: &Value) -> Reply {
    app.post_json_backend("/api/oauth/register", body).await
}

fn mcp_client() -> Value {
    json!({
        "client_name": "MCP Inspector",
        "redirect_uris": ["http://localhost:6274/oauth/callback"],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": "READ_GRAPH EXECUTE_GRAPH",
    })
}

/// Signs in (once) and approves a request for `client_id` with `redirect_uri`.
async fn approve(
    app: &TestApp,
    client_id: &str,
    redirect_uri: &str,
) -> crate::helpers::Answer<shared::AuthorizeResponse> {
    if app.get("/api/auth/me").await.status != 200 {
        app.signup("dcr@example.com").await.ok();
    }
    app.authorize(&json!({
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "READ_GRAPH",
        "state": "s",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "response_type": "code",
        "decision": "approve",
    }))
    .await
}

#[tokio::test]
async fn an_mcp_client_registers_and_signs_in_with_any_loopback_port() {
    let app = spawn_app().await;
    let r = register(&app, &mcp_client()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let id = r.body["client_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("agpt_client_") && !id.starts_with("https://"));
    assert!(r.body.get("client_secret").is_none(), "public by default");
    assert_eq!(r.body["token_endpoint_auth_method"], "none");
    assert_eq!(r.body["application_type"], "native");
    assert_eq!(
        r.body["redirect_uris"],
        json!(["http://localhost:6274/oauth/callback"])
    );
    assert_eq!(
        r.body["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(r.body["client_id_issued_at"], json!(app.state.now()));

    // The consent screen marks it unverified and on-device.
    let info = app
        .get(&format!(
            "/api/oauth/app/{id}?redirect_uri=http%3A%2F%2Flocalhost%3A6274%2Foauth%2Fcallback"
        ))
        .await;
    assert_eq!(info.body["registration"], "dynamic");
    assert_eq!(info.body["runs_on_device"], true);
    assert_eq!(
        info.body["plain_pkce_allowed"], false,
        "nobody vouched for it: S256 only"
    );

    // RFC 8252 §7.3: another port on the same loopback URI matches…
    let redirect = "http://localhost:51234/oauth/callback";
    let code = approve(&app, &id, redirect)
        .await
        .redirect_param("code")
        .expect("code");
    let client = TestClient {
        client_id: id.clone(),
        secret: None,
        redirect_uri: redirect.into(),
    };
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
        ("code_verifier", VERIFIER),
    ];
    let t: TokenResponse = app
        .post_form("/api/oauth/token", &client, &form)
        .await
        .typed()
        .ok();
    assert!(
        app.introspect(&client, t.access_token.secret())
            .await
            .ok()
            .active
    );
    // …but nothing else is relaxed: path, host name, scheme.
    for other in [
        "http://localhost:51234/oauth/callback/",
        "http://localhost:51234/OAUTH/callback",
        "http://127.0.0.1:51234/oauth/callback",
        "https://localhost:51234/oauth/callback",
        "http://localhost:51234/oauth/callback?x=1",
    ] {
        let r = approve(&app, &id, other).await;
        assert_eq!(r.error(), "redirect_uri_not_registered", "{other}");
    }
}

#[tokio::test]
async fn native_apps_register_private_use_schemes_web_apps_https() {
    let app = spawn_app().await;
    let cursor = "cursor://anysphere.cursor-mcp/oauth/callback";
    let r = register(
        &app,
        &json!({"redirect_uris": [cursor], "client_name": "Cursor"}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["application_type"], "native");
    let id = r.body["client_id"].as_str().unwrap();
    let url = approve(&app, id, cursor).await.redirect_url().to_owned();
    assert!(
        url.starts_with("cursor://anysphere.cursor-mcp/oauth/callback?code="),
        "{url}"
    );

    let r = register(&app, &json!({"redirect_uris": ["https://app.example.com/cb"], "token_endpoint_auth_method": "client_secret_basic"})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["application_type"], "web");
    assert_eq!(
        r.body["client_name"], "app.example.com",
        "nameless: named by its redirect host"
    );
    let secret = r.body["client_secret"]
        .as_str()
        .expect("a secret method gets a secret");
    assert_eq!(r.body["client_secret_expires_at"], 0);
    // The secret works (and is required) at the token endpoint.
    let client = TestClient {
        client_id: r.body["client_id"].as_str().unwrap().to_owned(),
        secret: Some(secret.to_owned()),
        redirect_uri: "https://app.example.com/cb".into(),
    };
    let code = approve(&app, &client.client_id, &client.redirect_uri)
        .await
        .redirect_param("code")
        .unwrap();
    assert!(app
        .exchange(&client, &code)
        .await
        .ok()
        .access_token
        .secret()
        .starts_with("agpt_xt_"));
    let r = app
        .post_form(
            "/api/oauth/introspect",
            &TestClient {
                secret: None,
                ..client.clone()
            },
            &[("token", "x")],
        )
        .await;
    assert_eq!(r.error(), "invalid_client");
}

#[tokio::test]
async fn every_invalid_registration_is_refused_with_its_rfc_7591_code() {
    let app = spawn_app_with(|c| c.registration.max_registrations_per_source = 100).await;
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut v = mcp_client();
        edit(&mut v);
        v
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&|v| v["redirect_uris"] = json!([])),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| {
                v.as_object_mut().unwrap().remove("redirect_uris");
            }),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| v["redirect_uris"] = json!(["javascript:alert(1)"])),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| v["redirect_uris"] = json!(["data:text/html,x"])),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| v["redirect_uris"] = json!(["file:///etc/passwd"])),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| v["redirect_uris"] = json!(["vbscript:x"])),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| v["redirect_uris"] = json!(["https://a.example/cb#f"])),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| v["redirect_uris"] = json!(["http://a.example/cb"])),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| v["redirect_uris"] = json!(["/relative"])),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| {
                v["application_type"] = json!("web");
                v["token_endpoint_auth_method"] = json!("client_secret_basic");
            }),
            "invalid_redirect_uri",
        ),
        (
            with(&|v| v["application_type"] = json!("tv")),
            "invalid_client_metadata",
        ),
        (
            with(&|v| v["token_endpoint_auth_method"] = json!("private_key_jwt")),
            "invalid_client_metadata",
        ),
        (
            with(&|v| v["grant_types"] = json!(["implicit"])),
            "invalid_client_metadata",
        ),
        (
            with(&|v| v["grant_types"] = json!(["client_credentials"])),
            "invalid_client_metadata",
        ),
        (
            with(&|v| v["response_types"] = json!(["token"])),
            "invalid_client_metadata",
        ),
        (
            with(&|v| v["client_name"] = json!("x".repeat(101))),
            "invalid_client_metadata",
        ),
        (
            with(&|v| v["logo_uri"] = json!("javascript:alert(1)")),
            "invalid_client_metadata",
        ),
        (
            with(&|v| v["tos_uri"] = json!("http://a.example/tos")),
            "invalid_client_metadata",
        ),
        (
            with(&|v| v["redirect_uris"] = json!("http://localhost/cb")),
            "invalid_client_metadata",
        ),
        (json!([1, 2]), "invalid_client_metadata"),
    ];
    for (body, code) in cases {
        let r = register(&app, &body).await;
        assert_eq!((r.status, r.error()), (400, code), "{body}: {:?}", r.body);
        assert!(!r.body["error_description"].as_str().unwrap().is_empty());
    }
    let r = send(app.http.post(app.url("/api/oauth/register")).body("{}")).await;
    assert_eq!(
        (r.status, r.error()),
        (400, "invalid_client_metadata"),
        "not JSON by content type"
    );
    let r = send(
        app.http
            .post(app.url("/api/oauth/register"))
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!((r.status, r.error()), (400, "invalid_client_metadata"));
    assert_eq!(app.count("oauth_app").await, 0, "nothing was registered");
}

#[tokio::test]
async fn registration_is_limited_per_source_and_capped() {
    let app = spawn_app_with(|c| {
        c.registration.max_registrations_per_source = 3;
        c.registration.max_dynamic_clients = 2;
    })
    .await;
    assert_eq!(register(&app, &mcp_client()).await.status, 201);
    assert_eq!(register(&app, &mcp_client()).await.status, 201);
    let full = register(&app, &mcp_client()).await;
    assert_eq!(
        (full.status, full.error()),
        (503, "temporarily_unavailable"),
        "the cap"
    );
    let limited = register(&app, &mcp_client()).await;
    assert_eq!(limited.status, 429, "the source's limit");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(app.count("oauth_app").await, 2);
}

#[tokio::test]
async fn registrations_nobody_used_expire_used_ones_stay() {
    let app = spawn_app().await;
    let unused = register(&app, &mcp_client()).await.body["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let used = register(&app, &mcp_client()).await.body["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let redirect = "http://localhost:6274/oauth/callback";
    let code = approve(&app, &used, redirect)
        .await
        .redirect_param("code")
        .unwrap();
    let client = TestClient {
        client_id: used.clone(),
        secret: None,
        redirect_uri: redirect.into(),
    };
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
        ("code_verifier", VERIFIER),
    ];
    assert_eq!(
        app.post_form("/api/oauth/token", &client, &form)
            .await
            .status,
        200
    );
    let operator = app.default_app().await;
    app.clock
        .advance(app.state.config.registration.unused_registration_ttl + 1);
    let c = &app.state.config;
    app.state
        .db
        .delete_expired(
            app.state.now(),
            c.tokens.auth_code_ttl,
            c.limits.auth_failure_window,
            c.registration.unused_registration_ttl,
        )
        .await
        .unwrap();
    let app = &app;
    let exists =
        |id: String| async move { app.get(&format!("/api/oauth/app/{id}")).await.status == 200 };
    assert!(!exists(unused).await, "never authorized: gone");
    assert!(
        exists(used).await,
        "its refresh token keeps its grant, and so the client"
    );
    assert!(
        exists(operator.client_id).await,
        "operators' apps never expire"
    );
}

#[tokio::test]
async fn registration_can_be_turned_off() {
    let app = spawn_app_with(|c| c.registration.mode = RegistrationMode::Off).await;
    let r = register(&app, &mcp_client()).await;
    assert_eq!((r.status, r.error()), (404, "not_found"));
    let meta = app.get("/.well-known/oauth-authorization-server").await;
    assert!(meta.body.get("registration_endpoint").is_none());
    let open = spawn_app().await;
    let meta = open.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(
        meta.body["registration_endpoint"],
        json!(format!("{}/api/oauth/register", open.state.issuer))
    );
}

/// A redirect URI a browser would read otherwise is refused: with a
/// backslash the code would go to evil.example while the screen said
/// claude.ai; a Unicode host is shown as a look-alike.
#[tokio::test]
async fn redirect_uris_a_browser_reads_otherwise_are_refused() {
    let app = crate::helpers::spawn_app().await;
    for uri in [
        r"https://evil.example\@claude.ai/cb",
        "https://аpple.example/cb",
        "https://Claude.AI/cb",
    ] {
        let r = app
            .post_json_backend(
                "/api/oauth/register",
                &json!({"client_name": "Spoof", "redirect_uris": [uri]}),
            )
            .await;
        assert_eq!(
            (r.status, r.error()),
            (400, "invalid_redirect_uri"),
            "{uri}"
        );
        assert!(
            r.body["error_description"]
                .as_str()
                .unwrap()
                .contains("as a browser reads it"),
            "{:?}",
            r.body
        );
    }
}

/// RFC 9700 §4.11.2: a client nobody vouched for gets no visitor unseen.
/// Its erroneous requests and its `prompt=none` from a signed-out browser
/// go to the consent screen (not to its URI), and RP-initiated logout asks
/// before sending anyone to its post-logout URI. An operator's client keeps
/// its silent redirects.
#[tokio::test]
async fn unvouched_clients_are_no_open_redirector() {
    let app = spawn_app().await;
    let mut meta = mcp_client();
    meta["redirect_uris"] = json!(["https://attacker.example/cb"]);
    meta["post_logout_redirect_uris"] = json!(["https://attacker.example/bye"]);
    meta["scope"] = json!("openid READ_GRAPH");
    let dcr = register(&app, &meta).await.body["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let operator = app.default_app().await;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let front = |client: &str, redirect: &str, extra: &str| {
        format!(
            "/api/oauth/authorize?client_id={client}&redirect_uri={}&state=s&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
            enc(redirect)
        )
    };
    // An error (no response_type), signed out.
    let r = app
        .get(&front(&dcr, "https://attacker.example/cb", ""))
        .await;
    assert_eq!(r.status, 303);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/auth/authorize?"),
        "{:?}",
        r.header("location")
    );
    let r = app
        .get(&front(&operator.client_id, &operator.redirect_uri, ""))
        .await;
    assert!(
        r.header("location")
            .unwrap()
            .starts_with(&operator.redirect_uri),
        "an operator's client is answered at once"
    );
    // prompt=none, signed out: the screen, not login_required at the attacker.
    let silent = "&response_type=code&scope=READ_GRAPH&prompt=none";
    let r = app
        .get(&front(&dcr, "https://attacker.example/cb", silent))
        .await;
    assert!(r
        .header("location")
        .unwrap()
        .starts_with("/auth/authorize?"));
    // Signed in, the person is answered (consent_required: never remembered).
    app.signup("vouch@example.com").await.ok();
    let r = app
        .get(&front(&dcr, "https://attacker.example/cb", silent))
        .await;
    let to = r.header("location").unwrap();
    assert!(
        to.starts_with("https://attacker.example/cb") && to.contains("error=consent_required"),
        "{to}"
    );

    // RP-initiated logout with a valid hint and the client's registered URI: asks.
    let code = app
        .authorize(&json!({
            "client_id": dcr, "redirect_uri": "https://attacker.example/cb", "scope": "openid",
            "state": "s", "code_challenge": CHALLENGE, "code_challenge_method": "S256",
            "response_type": "code", "decision": "approve",
        }))
        .await
        .redirect_param("code")
        .unwrap();
    let client = TestClient {
        client_id: dcr.clone(),
        secret: None,
        redirect_uri: "https://attacker.example/cb".into(),
    };
    let t: TokenResponse = app.exchange_in_body(&client, &code).await.ok();
    let hint = t.id_token.unwrap();
    let r = app
        .get(&format!(
            "/api/oauth/logout?id_token_hint={hint}&post_logout_redirect_uri={}",
            enc("https://attacker.example/bye")
        ))
        .await;
    assert!(r.header("location").unwrap().starts_with("/auth/logout?"));
    assert_eq!(
        app.get("/api/auth/me").await.status,
        200,
        "not signed out unasked"
    );
}

/// After sign-in too: the decision for an unvouched client's erroneous
/// request answers the problem for the page to show (400 with its code),
/// never a URL to its redirect URI that the page would follow; only the
/// person's click (Deny, on the screen that shows the problem and the host)
/// sends the problem back.
#[tokio::test]
async fn an_unvouched_clients_problem_is_shown_after_sign_in_too() {
    let app = spawn_app().await;
    let dcr = register(&app, &mcp_client()).await.body["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.signup("shown@example.com").await.ok();
    let r = app
        .authorize(&json!({
            "client_id": dcr, "redirect_uri": "http://localhost:6274/oauth/callback",
            "scope": "READ_GRAPH", "state": "s", "code_challenge": CHALLENGE,
            "code_challenge_method": "S256", "response_type": "token", "decision": "approve",
        }))
        .await;
    assert_eq!((r.status, r.error()), (400, "unsupported_response_type"));
    let r = app
        .authorize(&json!({
            "client_id": dcr, "redirect_uri": "http://localhost:6274/oauth/callback",
            "scope": "READ_GRAPH", "state": "s", "code_challenge": CHALLENGE,
            "code_challenge_method": "S256", "response_type": "token", "decision": "remembered",
        }))
        .await;
    assert_eq!((r.status, r.error()), (400, "unsupported_response_type"));
    // The person, shown the problem and the host, clicked to go back there.
    let r = app
        .authorize(&json!({
            "client_id": dcr, "redirect_uri": "http://localhost:6274/oauth/callback",
            "scope": "READ_GRAPH", "state": "s", "code_challenge": CHALLENGE,
            "code_challenge_method": "S256", "response_type": "token", "decision": "deny",
        }))
        .await;
    assert_eq!(
        r.redirect_param("error").as_deref(),
        Some("unsupported_response_type"),
        "the problem goes back only on the person's click"
    );
    let r = app
        .authorize(&json!({
            "client_id": dcr, "redirect_uri": "http://localhost:6274/oauth/callback",
            "scope": "READ_GRAPH", "state": "s", "code_challenge": CHALLENGE,
            "code_challenge_method": "S256", "response_type": "code", "decision": "deny",
        }))
        .await;
    assert_eq!(
        r.redirect_param("error").as_deref(),
        Some("access_denied"),
        "the person's own click goes back"
    );
}

/// MCP step-up (MCP authorization spec, scope selection): a client nobody
/// vouched for may ask for any catalogue scope, whatever it registered: it
/// is always shown the screen, so the person decides. Its registered scopes
/// stay the default. An operator's app keeps its registration as the limit.
#[tokio::test]
async fn an_unvouched_client_may_ask_for_more_than_it_registered() {
    let app = spawn_app().await;
    let id = register(&app, &mcp_client()).await.body["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let redirect = "http://localhost:6274/oauth/callback";
    let info = app
        .get(&format!(
            "/api/oauth/app/{id}?redirect_uri={}",
            url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
        ))
        .await;
    let names = |field: &str| -> Vec<String> {
        info.body[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("scopes"), ["READ_GRAPH", "EXECUTE_GRAPH"]);
    assert!(names("open_scopes").contains(&"RUN_AGENT".to_owned()));
    app.signup("stepup@example.com").await.ok();
    let ask = |scope: &str| {
        json!({
            "client_id": id, "redirect_uri": redirect, "scope": scope, "state": "s",
            "code_challenge": CHALLENGE, "code_challenge_method": "S256",
            "response_type": "code", "decision": "approve",
        })
    };
    let code = app
        .authorize(&ask("READ_GRAPH RUN_AGENT"))
        .await
        .redirect_param("code")
        .unwrap();
    let client = TestClient {
        client_id: id.clone(),
        secret: None,
        redirect_uri: redirect.into(),
    };
    let t: TokenResponse = app.exchange_in_body(&client, &code).await.ok();
    assert_eq!(t.scope, "READ_GRAPH RUN_AGENT");
    // A name the catalogue does not have is still the client's error (shown:
    // nobody vouched for it).
    let r = app.authorize(&ask("READ_GRAPH mcp:everything")).await;
    assert_eq!((r.status, r.error()), (400, "invalid_scope"));
    // The operator's app: its registration is the limit.
    let operator = app.default_app().await;
    let mut body = app.authorize_body(&operator);
    body["scope"] = json!("READ_GRAPH RUN_AGENT");
    let r = app.authorize(&body).await;
    assert_eq!((r.status, r.error()), (400, "scope_not_allowed"));
    let info = app
        .get(&format!("/api/oauth/app/{}", operator.client_id))
        .await;
    assert_eq!(info.body["open_scopes"].as_array().unwrap().len(), 4);
}
