//! `POST /api/oauth/revoke` (RFC 7009).

use crate::helpers::spawn_app;

#[tokio::test]
async fn revoking_an_access_token_ends_only_that_token() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    let r = app.revoke(&client, t.str("access_token")).await;
    assert_eq!(r.status, 200);
    assert!(!app.is_active(&client, t.str("access_token")).await);
    assert!(app.is_active(&client, t.str("refresh_token")).await);
    assert_eq!(
        app.refresh(&client, t.str("refresh_token")).await.status,
        200
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_grant() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let t = app.tokens(&client).await;
    assert_eq!(
        app.revoke(&client, t.str("refresh_token")).await.status,
        200
    );
    assert!(!app.is_active(&client, t.str("refresh_token")).await);
    assert!(
        !app.is_active(&client, t.str("access_token")).await,
        "the grant's access token too"
    );
    assert_eq!(
        app.refresh(&client, t.str("refresh_token")).await.status,
        400
    );
}

#[tokio::test]
async fn unknown_and_foreign_tokens_get_200_and_nothing_happens() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let other = app.default_app().await;
    let t = app.tokens(&client).await;
    for token in ["agpt_xt_unknown", "agpt_rt_unknown", "garbage"] {
        assert_eq!(app.revoke(&client, token).await.status, 200, "{token}");
    }
    assert_eq!(app.revoke(&other, t.str("access_token")).await.status, 200);
    assert_eq!(app.revoke(&other, t.str("refresh_token")).await.status, 200);
    assert!(
        app.is_active(&client, t.str("access_token")).await,
        "another app cannot revoke our tokens"
    );
    assert!(app.is_active(&client, t.str("refresh_token")).await);
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
