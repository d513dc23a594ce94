//! Several instances on one database (the PostgreSQL scale-out; SQLite too):
//! the database is the only source of truth, so any instance can finish what
//! another started, and revocation or disabling shows on all of them at once.

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_flow_started_on_one_instance_finishes_on_another() {
    let a = spawn_app().await;
    let b = a.another_instance().await;
    let client = a.default_app().await;
    let code = a.get_code(&client).await;
    let tokens = b.exchange(&client, &code).await.ok();
    let refreshed = a.refresh(&client, tokens.refresh_token.secret()).await.ok();
    assert_eq!(
        b.refresh(&client, tokens.refresh_token.secret())
            .await
            .status,
        400,
        "reuse seen by b"
    );
    assert!(
        !a.is_active(&client, refreshed.access_token.secret()).await,
        "and the grant revoked for a"
    );
    assert_eq!(
        a.exchange(&client, &code).await.status,
        400,
        "single use across instances"
    );
}

#[tokio::test]
async fn disabling_an_app_takes_effect_on_every_instance_at_once() {
    let a = spawn_app().await;
    let b = a.another_instance().await;
    let client = a.default_app().await;
    let t = a.tokens(&client).await;
    let at = t.access_token.secret();
    // Both instances have verified (and remember) the client's secret.
    assert!(a.is_active(&client, at).await);
    assert!(b.is_active(&client, at).await);
    a.set_disabled(&client, true).await;
    assert_eq!(
        b.introspect(&client, at).await.status,
        401,
        "remembered secrets do not outlive the app"
    );
    let other = b.default_app().await;
    assert!(!b.is_active(&other, at).await);
    assert_eq!(
        b.refresh(&client, t.refresh_token.secret()).await.status,
        401
    );
}
