//! `POST /api/oauth/introspect` (RFC 7662).

use crate::helpers::{pair, spawn_app, spawn_app_with, TestClient};
use serde_json::json;
use shared::IntrospectResponse;

#[tokio::test]
async fn an_active_access_token_is_described() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let me = app.me().await.ok();
    let r = app
        .post_form_basic(
            "/api/oauth/introspect",
            &client,
            &[("token", t.access_token.secret())],
        )
        .await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let now = app.state.now();
    assert_eq!(
        r.body,
        json!({
            "active": true,
            "scope": "EXECUTE_GRAPH READ_GRAPH",
            "client_id": client.client_id,
            "sub": me.user_id,
            "exp": now + 3600,
            "iat": now,
            "token_type": "Bearer",
        }),
        "RFC 7662 §2.2: token_type is the token's type"
    );
    let rt = app.introspect(&client, t.refresh_token.secret()).await.ok();
    assert!(rt.active);
    assert_eq!(rt.token_type, Some(shared::TokenType::Bearer));
}

#[tokio::test]
async fn json_bodies_with_client_secret_post_work_too() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let r = app
        .post_json_backend(
            "/api/oauth/introspect",
            &json!({"token": t.access_token.secret(), "client_id": client.client_id, "client_secret": client.secret}),
        )
        .await;
    assert!(r.typed::<IntrospectResponse>().ok().active);
}

#[tokio::test]
async fn anything_not_an_active_own_token_is_just_inactive() {
    let app = spawn_app_with(|c| c.tokens.access_token_ttl = 60).await;
    let client = app.default_app().await;
    let other = app.default_app().await;
    let t = app.tokens(&client).await;
    let at = t.access_token.secret();
    let inactive = json!({"active": false});
    let raw = |who: &TestClient, token: &str| {
        let (app, who, token) = (&app, who.clone(), token.to_owned());
        async move {
            app.post_form_basic("/api/oauth/introspect", &who, &[("token", &token)])
                .await
        }
    };
    assert_eq!(raw(&other, at).await.body, inactive, "another app's token");
    for garbage in [
        "agpt_xt_nope",
        "agpt_rt_nope",
        "hello",
        "",
        &"x".repeat(5000),
    ] {
        let r = raw(&client, garbage).await;
        assert!(
            r.status == 200 || r.status == 400,
            "{garbage:.20}: {}",
            r.status
        );
        if r.status == 200 {
            assert_eq!(r.body, inactive, "{garbage:.20}");
        }
    }
    app.clock.advance(61);
    assert_eq!(raw(&client, at).await.body, inactive, "expired");
}

#[tokio::test]
async fn a_disabled_apps_tokens_are_inactive_at_once_and_never_a_500() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let other = app.default_app().await;
    let t = app.tokens(&client).await;
    let at = t.access_token.secret();
    app.set_disabled(&client, true).await;
    // The disabled app itself can no longer authenticate; another app sees nothing.
    let r = app.introspect(&client, at).await;
    assert_eq!((r.status, r.error()), (401, "invalid_client"));
    assert!(!app.is_active(&other, at).await);
    app.set_disabled(&client, false).await;
    assert!(app.is_active(&client, at).await, "re-enabled");
}

#[tokio::test]
async fn introspection_requires_client_authentication() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let (at, _) = pair(&t);
    // RFC 7662 §2.3 / RFC 6749 §5.2: no client authentication at all is a
    // 401 with a challenge, on introspection and on revocation alike.
    for path in ["/api/oauth/introspect", "/api/oauth/revoke"] {
        let r = crate::helpers::send(app.http.post(app.url(path)).form(&[("token", at)])).await;
        assert_eq!((r.status, r.error()), (401, "invalid_client"), "{path}");
        assert!(
            r.header("www-authenticate")
                .is_some_and(|h| h.starts_with("Basic")),
            "{path}"
        );
    }
    assert!(app.is_active(&client, at).await, "nothing was revoked");
    let wrong = TestClient {
        secret: Some("agpt_secret_wrong".into()),
        ..client
    };
    assert_eq!(app.introspect(&wrong, at).await.status, 401);
}
