//! Built-in accounts: sign-up, sign-in, sign-out, who am I.

use crate::helpers::{spawn_app, spawn_app_with, PASSWORD};
use serde_json::json;

#[tokio::test]
async fn signup_signs_in_and_me_reports_the_user() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/auth/me").await.status, 401);
    let r = app.signup("Ada@Example.com").await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let cookie = r.header("set-cookie").expect("session cookie").to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http test server: {cookie}"
    );
    let me = app.me().await.ok();
    assert_eq!(me.email, "ada@example.com");
    assert_eq!(me.user_id, r.ok().user_id);
}

#[tokio::test]
async fn session_cookie_is_secure_behind_https() {
    let app = spawn_app_with(|c| c.public_url = Some("https://auth.example.com".into())).await;
    let r = app.signup("ada@example.com").await;
    assert!(r.header("set-cookie").is_some_and(|c| c.contains("Secure")));
}

#[tokio::test]
async fn login_logout_and_the_session_ends_server_side() {
    let app = spawn_app().await;
    app.signup("ada@example.com").await;
    let cookie = app.get("/api/auth/me").await;
    assert_eq!(cookie.status, 200);
    assert_eq!(app.count("user_session").await, 1);
    let out = app.post_json("/api/auth/logout", &json!({})).await;
    assert_eq!(out.status, 204);
    assert_eq!(
        app.count("user_session").await,
        0,
        "logout deletes the session row"
    );
    assert_eq!(app.get("/api/auth/me").await.status, 401);
    app.login("ADA@example.com", PASSWORD).await.ok();
    assert_eq!(app.me().await.ok().email, "ada@example.com");
}

#[tokio::test]
async fn sessions_expire() {
    let app = spawn_app_with(|c| c.tokens.session_ttl = 60).await;
    app.signup("ada@example.com").await;
    app.clock.advance(61);
    let r = app.get("/api/auth/me").await;
    assert_eq!((r.status, r.error()), (401, "unauthorized"));
}

#[tokio::test]
async fn wrong_credentials_get_one_generic_401() {
    let app = spawn_app().await;
    app.signup("ada@example.com").await;
    let wrong_password = app.login("ada@example.com", "not the password").await;
    let unknown_email = app.login("nobody@example.com", PASSWORD).await;
    assert_eq!((wrong_password.status, unknown_email.status), (401, 401));
    assert_eq!(
        wrong_password.body, unknown_email.body,
        "no hint which part was wrong"
    );
    assert_eq!(wrong_password.error(), "unauthorized");
}

#[tokio::test]
async fn repeated_failures_are_limited_even_for_the_right_password() {
    let app = spawn_app_with(|c| c.limits.max_auth_failures = 3).await;
    app.signup("ada@example.com").await;
    for _ in 0..3 {
        assert_eq!(
            app.login("ada@example.com", "wrong password").await.status,
            401
        );
    }
    let limited = app.login("ada@example.com", PASSWORD).await;
    assert_eq!(
        (limited.status, limited.error()),
        (429, "too_many_requests")
    );
    assert!(limited.header("retry-after").is_some());
    app.clock
        .advance(app.state.config.limits.auth_failure_window);
    assert_eq!(
        app.login("ada@example.com", PASSWORD).await.status,
        200,
        "the window ends"
    );
}

#[tokio::test]
async fn duplicate_email_is_a_conflict() {
    let app = spawn_app().await;
    assert_eq!(app.signup("ada@example.com").await.status, 201);
    let again = app.signup("ADA@example.com").await;
    assert_eq!((again.status, again.error()), (409, "conflict"));
    assert_eq!(app.count("app_user").await, 1);
}

#[tokio::test]
async fn signup_validates_its_input() {
    let app = spawn_app().await;
    for (body, why) in [
        (
            json!({"email": "not-an-email", "password": PASSWORD}),
            "bad email",
        ),
        (
            json!({"email": "a@example.com", "password": "short"}),
            "short password",
        ),
        (json!({"email": "a@example.com"}), "missing password"),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "admin": true}),
            "unknown field",
        ),
        (json!(["a@example.com"]), "not an object"),
    ] {
        let r = app.post_json("/api/auth/signup", &body).await;
        assert_eq!((r.status, r.error()), (400, "invalid_request"), "{why}");
    }
    assert_eq!(app.count("app_user").await, 0);
}

#[tokio::test]
async fn signup_can_be_turned_off() {
    let app = spawn_app_with(|c| c.signup_enabled = false).await;
    let r = app.signup("ada@example.com").await;
    assert_eq!((r.status, r.error()), (403, "forbidden"));
    assert_eq!(
        app.get("/api/auth/config").await.body,
        json!({"signup_enabled": false})
    );
}
