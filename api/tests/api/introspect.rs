//! `POST /api/oauth/introspect` (RFC 7662).

use crate::helpers::{spawn_app, spawn_app_with, TestClient};
use api::store::apps::set_disabled;
use serde_json::json;

#[tokio::test]
async fn an_active_access_token_is_described() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let me = app.get("/api/auth/me").await;
    let r = app.introspect(&client, t.str("access_token")).await;
    assert_eq!(r.status, 200);
    let now = app.state.now();
    assert_eq!(
        r.body,
        json!({
            "active": true,
            "scope": "EXECUTE_GRAPH READ_GRAPH",
            "client_id": client.client_id,
            "sub": me.str("user_id"),
            "exp": now + 3600,
            "iat": now,
            "token_type": "access_token",
        })
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let rt = app.introspect(&client, t.str("refresh_token")).await;
    assert_eq!(rt.body["active"], true);
    assert_eq!(rt.body["token_type"], "refresh_token");
}

#[tokio::test]
async fn json_bodies_with_client_secret_post_work_too() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let r = app
        .post_json_backend(
            "/api/oauth/introspect",
            &json!({"token": t.str("access_token"), "client_id": client.client_id, "client_secret": client.secret}),
        )
        .await;
    assert_eq!(r.body["active"], true);
}

#[tokio::test]
async fn anything_not_an_active_own_token_is_just_inactive() {
    let app = spawn_app_with(|c| c.access_token_ttl = 60).await;
    let client = app.default_app().await;
    let other = app.default_app().await;
    let t = app.tokens(&client).await;
    let at = t.str("access_token");
    let inactive = json!({"active": false});
    assert_eq!(
        app.introspect(&other, at).await.body,
        inactive,
        "another app's token"
    );
    for garbage in [
        "agpt_xt_nope",
        "agpt_rt_nope",
        "hello",
        "",
        &"x".repeat(5000),
    ] {
        let r = app.introspect(&client, garbage).await;
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
    assert_eq!(app.introspect(&client, at).await.body, inactive, "expired");
}

#[tokio::test]
async fn a_disabled_apps_tokens_are_inactive_at_once_and_never_a_500() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let other = app.default_app().await;
    let t = app.tokens(&client).await;
    set_disabled(&app.state.db, &client.client_id, Some(1), 1)
        .await
        .unwrap();
    // The disabled app itself can no longer authenticate; another app sees nothing.
    let r = app.introspect(&client, t.str("access_token")).await;
    assert_eq!((r.status, r.error()), (401, "invalid_client"));
    assert_eq!(
        app.introspect(&other, t.str("access_token")).await.body,
        json!({"active": false})
    );
    set_disabled(&app.state.db, &client.client_id, None, 2)
        .await
        .unwrap();
    assert!(
        app.is_active(&client, t.str("access_token")).await,
        "re-enabled"
    );
}

#[tokio::test]
async fn introspection_requires_client_authentication() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let r = app
        .http
        .post(app.url("/api/oauth/introspect"))
        .form(&[("token", t.str("access_token"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let wrong = TestClient {
        secret: Some("agpt_secret_wrong".into()),
        ..client
    };
    assert_eq!(
        app.introspect(&wrong, t.str("access_token")).await.status,
        401
    );
}
