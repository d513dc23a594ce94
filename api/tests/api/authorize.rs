//! `POST /api/oauth/authorize`: checks in RFC 6749 §4.1.2.1 order; nothing
//! redirects before the client and the exact redirect_uri are verified.

use crate::helpers::{spawn_app, spawn_app_with, AppSpec, TestApp, CHALLENGE, REDIRECT};
use serde_json::{json, Value};

async fn signed_in_app() -> (TestApp, crate::helpers::TestClient) {
    let app = spawn_app().await;
    let client = app.default_app().await;
    assert_eq!(app.signup("ada@example.com").await.status, 201);
    (app, client)
}

fn without(mut body: Value, field: &str) -> Value {
    body.as_object_mut().unwrap().remove(field);
    body
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

#[tokio::test]
async fn approval_redirects_with_code_state_and_issuer() {
    let (app, client) = signed_in_app().await;
    let r = app.authorize(&app.authorize_body(&client)).await;
    let url = r.redirect_url();
    assert!(
        url.starts_with("http://localhost:8080/callback?code=agpt_code_"),
        "{url}"
    );
    assert_eq!(r.redirect_param("state").as_deref(), Some("xyz-state"));
    assert_eq!(
        r.redirect_param("iss").as_deref(),
        Some(app.base.as_str()),
        "the issuer names the bound port"
    );
    assert_eq!(app.count("authorization_code").await, 1);
    assert_eq!(app.count("oauth_grant").await, 1);
}

#[tokio::test]
async fn deny_redirects_with_access_denied_exactly_as_the_seed_shows() {
    let (app, client) = signed_in_app().await;
    let r = app
        .authorize(&with(
            app.authorize_body(&client),
            "decision",
            json!("deny"),
        ))
        .await;
    let url = r.redirect_url();
    assert!(
        url.starts_with(
            "http://localhost:8080/callback?error=access_denied&error_description=User%20denied%20access&state=xyz-state"
        ),
        "{url}"
    );
    assert_eq!(
        app.count("authorization_code").await,
        0,
        "a denial issues nothing"
    );
}

#[tokio::test]
async fn state_is_echoed_verbatim_and_a_registered_query_is_kept() {
    let app = spawn_app().await;
    let uri = "https://app.example.com/cb?tenant=7";
    let client = app
        .register_app(AppSpec {
            redirect_uris: vec![uri.into()],
            ..AppSpec::default()
        })
        .await;
    app.signup("ada@example.com").await;
    let state = "a b&c=d/é+%20";
    let r = app
        .authorize(&with(app.authorize_body(&client), "state", json!(state)))
        .await;
    assert!(r
        .redirect_url()
        .starts_with("https://app.example.com/cb?tenant=7&code="));
    assert_eq!(r.redirect_param("tenant").as_deref(), Some("7"));
    assert_eq!(r.redirect_param("state").as_deref(), Some(state));
}

#[tokio::test]
async fn without_a_session_the_answer_is_401() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let r = app.authorize(&app.authorize_body(&client)).await;
    assert_eq!((r.status, r.error()), (401, "unauthorized"));
}

#[tokio::test]
async fn unverified_client_or_redirect_uri_never_yields_a_redirect() {
    let (app, client) = signed_in_app().await;
    let disabled = app.default_app().await;
    app.set_disabled(&disabled, true).await;
    let base = app.authorize_body(&client);
    let cases = [
        (
            with(base.clone(), "client_id", json!("agpt_client_unknown")),
            "invalid_client",
            "unknown client",
        ),
        (
            with(app.authorize_body(&disabled), "decision", json!("approve")),
            "invalid_client",
            "disabled client",
        ),
        (
            with(base.clone(), "client_id", Value::Null),
            "invalid_request",
            "missing client_id",
        ),
        (
            with(
                base.clone(),
                "redirect_uri",
                json!("https://evil.example/callback"),
            ),
            "redirect_uri_not_registered",
            "foreign URI",
        ),
        (
            with(base.clone(), "redirect_uri", json!(format!("{REDIRECT}/"))),
            "redirect_uri_not_registered",
            "trailing slash",
        ),
        (
            with(
                base.clone(),
                "redirect_uri",
                json!(format!("{REDIRECT}?x=1")),
            ),
            "redirect_uri_not_registered",
            "extra query",
        ),
        (
            with(
                base.clone(),
                "redirect_uri",
                json!("http://LOCALHOST:8080/callback"),
            ),
            "redirect_uri_not_registered",
            "case",
        ),
        (
            with(base.clone(), "redirect_uri", Value::Null),
            "invalid_request",
            "missing redirect_uri",
        ),
        // Even problems that would otherwise redirect must not, with a bad redirect_uri.
        (
            with(
                with(base.clone(), "redirect_uri", json!("https://evil.example/")),
                "response_type",
                json!("token"),
            ),
            "redirect_uri_not_registered",
            "bad URI and bad response_type",
        ),
        (
            with(
                with(base.clone(), "redirect_uri", json!("https://evil.example/")),
                "decision",
                json!("deny"),
            ),
            "redirect_uri_not_registered",
            "bad URI and deny",
        ),
    ];
    for (body, code, why) in cases {
        let r = app.authorize(&body).await;
        assert_eq!(r.status, 400, "{why}: {:?}", r.body);
        assert_eq!(r.error(), code, "{why}: never a redirect_url");
    }
}

#[tokio::test]
async fn problems_after_verification_go_back_to_the_app() {
    let (app, client) = signed_in_app().await;
    let base = app.authorize_body(&client);
    for (body, code, why) in [
        (
            with(base.clone(), "response_type", json!("token")),
            "unsupported_response_type",
            "implicit grant",
        ),
        (
            with(base.clone(), "scope", json!("READ_GRAPH NOT_A_SCOPE")),
            "invalid_scope",
            "unknown scope",
        ),
        (
            with(base.clone(), "response_type", Value::Null),
            "invalid_request",
            "missing response_type",
        ),
    ] {
        let r = app.authorize(&body).await;
        assert_eq!(r.status, 200, "{why}: {:?}", r.body);
        assert!(r.redirect_url().starts_with(REDIRECT), "{why}");
        assert_eq!(r.redirect_param("error").as_deref(), Some(code), "{why}");
        assert_eq!(
            r.redirect_param("state").as_deref(),
            Some("xyz-state"),
            "{why}"
        );
        assert!(r.redirect_param("code").is_none(), "{why}");
    }
    assert_eq!(app.count("authorization_code").await, 0);
}

#[tokio::test]
async fn problems_the_consent_screen_shows_are_400s() {
    let (app, client) = signed_in_app().await;
    let base = app.authorize_body(&client);
    for (body, code, why) in [
        (
            with(base.clone(), "code_challenge", Value::Null),
            "invalid_request",
            "missing challenge",
        ),
        (
            with(base.clone(), "code_challenge", json!("too-short")),
            "invalid_request",
            "short challenge",
        ),
        (
            with(
                base.clone(),
                "code_challenge",
                json!(format!("{CHALLENGE}+/")),
            ),
            "invalid_request",
            "bad chars",
        ),
        (
            with(base.clone(), "code_challenge_method", json!("S512")),
            "invalid_request",
            "unknown method",
        ),
        (
            with(base.clone(), "scope", json!("READ_GRAPH USE_TOOLS")),
            "scope_not_allowed",
            "scope not allowed",
        ),
        (
            with(base.clone(), "state", json!("s".repeat(5000))),
            "invalid_request",
            "huge state",
        ),
    ] {
        let r = app.authorize(&body).await;
        assert_eq!(r.status, 400, "{why}: {:?}", r.body);
        assert_eq!(r.error(), code, "{why}");
    }
    let r = app
        .authorize(&with(
            base,
            "scope",
            json!("READ_GRAPH USE_TOOLS DELETE_INTEGRATIONS"),
        ))
        .await;
    let description = r.description();
    assert!(
        description.contains("USE_TOOLS") && description.contains("DELETE_INTEGRATIONS"),
        "{description}"
    );
    assert_eq!(app.count("authorization_code").await, 0);
}

#[tokio::test]
async fn without_scope_the_apps_registered_scopes_are_granted() {
    let (app, client) = signed_in_app().await;
    for body in [
        without(app.authorize_body(&client), "scope"),
        with(app.authorize_body(&client), "scope", json!("  ")),
    ] {
        let code = app.authorize(&body).await.redirect_param("code").unwrap();
        let t = app.exchange(&client, &code).await.ok();
        assert_eq!(t.scope, "EXECUTE_GRAPH READ_GRAPH", "RFC 6749 §3.3 default");
    }
}

#[tokio::test]
async fn a_decision_is_required_and_never_defaults_to_approve() {
    let (app, client) = signed_in_app().await;
    let r = app
        .authorize(&without(app.authorize_body(&client), "decision"))
        .await;
    assert_eq!((r.status, r.error()), (400, "invalid_request"));
    assert_eq!(app.count("authorization_code").await, 0);
}

#[tokio::test]
async fn plain_pkce_can_be_switched_off() {
    let app = spawn_app_with(|c| c.tokens.pkce_plain_enabled = false).await;
    let client = app.default_app().await;
    app.signup("ada@example.com").await;
    let r = app
        .authorize(&with(
            app.authorize_body(&client),
            "code_challenge_method",
            json!("plain"),
        ))
        .await;
    assert_eq!((r.status, r.error()), (400, "invalid_request"));
}

#[tokio::test]
async fn cross_site_requests_are_refused() {
    let (app, client) = signed_in_app().await;
    let body = app.authorize_body(&client);
    for (header, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
    ] {
        let r = app
            .browser
            .post(app.url("/api/oauth/authorize"))
            .header(header, value)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{header}: {value}");
    }
    let same = app
        .browser
        .post(app.url("/api/oauth/authorize"))
        .header("origin", &*app.state.issuer)
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);
    // A cross-site HTML form can only send form encodings: refused before anything else.
    let form = app
        .browser
        .post(app.url("/api/oauth/authorize"))
        .form(&[
            ("client_id", client.client_id.as_str()),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 400);
    assert_eq!(
        app.count("authorization_code").await,
        1,
        "only the same-origin request issued a code"
    );
}
