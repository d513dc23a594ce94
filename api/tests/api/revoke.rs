//! `POST /api/oauth/revoke` (RFC 7009).

use crate::helpers::{pair, spawn_app};

#[tokio::test]
async fn revoking_an_access_token_ends_only_that_token() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let (at, rt) = pair(&t);
    let r = app.revoke(&client, at).await;
    assert_eq!(r.status, 200);
    assert!(!app.is_active(&client, at).await);
    assert!(app.is_active(&client, rt).await);
    app.refresh(&client, rt).await.ok();
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_grant() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let (at, rt) = pair(&t);
    assert_eq!(app.revoke(&client, rt).await.status, 200);
    assert!(!app.is_active(&client, rt).await);
    assert!(
        !app.is_active(&client, at).await,
        "the grant's access token too"
    );
    assert_eq!(app.refresh(&client, rt).await.status, 400);
}

#[tokio::test]
async fn unknown_and_foreign_tokens_get_200_and_nothing_happens() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let other = app.default_app().await;
    let t = app.tokens(&client).await;
    let (at, rt) = pair(&t);
    for token in ["agpt_xt_unknown", "agpt_rt_unknown", "garbage"] {
        assert_eq!(app.revoke(&client, token).await.status, 200, "{token}");
    }
    assert_eq!(app.revoke(&other, at).await.status, 200);
    assert_eq!(app.revoke(&other, rt).await.status, 200);
    assert!(
        app.is_active(&client, at).await,
        "another app cannot revoke our tokens"
    );
    assert!(app.is_active(&client, rt).await);
    let r = app
        .post_form_basic(
            "/api/oauth/revoke",
            &client,
            &[("token_type_hint", "access_token")],
        )
        .await;
    assert_eq!(
        (r.status, r.error()),
        (400, "invalid_request"),
        "token is required"
    );
}
