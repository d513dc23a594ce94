//! What the database holds: nothing secret in the clear; expired rows swept.

use crate::helpers::spawn_app;
use sqlx::Row;

/// Every text value in every table, as one haystack.
async fn dump(app: &crate::helpers::TestApp) -> String {
    let mut all = String::new();
    for (table, columns) in [
        (
            "app_user",
            &["user_id", "email", "password_hash", "password_salt"][..],
        ),
        ("user_session", &["session_hash", "user_id"]),
        (
            "oauth_app",
            &[
                "client_id",
                "coalesce(client_secret_hash, '')",
                "coalesce(client_secret_salt, '')",
                "name",
            ],
        ),
        ("oauth_app_redirect_uri", &["redirect_uri"]),
        ("oauth_grant", &["grant_id", "scopes"]),
        (
            "authorization_code",
            &["code_hash", "redirect_uri", "code_challenge"],
        ),
        ("access_token", &["token_hash", "scopes"]),
        ("refresh_token", &["token_hash", "scopes"]),
    ] {
        let sql = format!("select {} from {table}", columns.join(", "));
        for row in sqlx::query(&sql)
            .fetch_all(&app.state.db.read)
            .await
            .unwrap()
        {
            for i in 0..columns.len() {
                all.push_str(&row.try_get::<String, _>(i).unwrap());
                all.push('\n');
            }
        }
    }
    all
}

#[tokio::test]
async fn nothing_secret_is_stored_in_the_clear() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let signup = app
        .browser
        .post(app.url("/api/auth/signup"))
        .json(
            &serde_json::json!({"email": "ada@example.com", "password": crate::helpers::PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    let session = signup.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap()
        .to_owned();
    let code = app
        .authorize(&app.authorize_body(&client))
        .await
        .redirect_param("code")
        .unwrap();
    let t = app.exchange(&client, &code).await.ok();
    let haystack = dump(&app).await;
    for secret in [
        crate::helpers::PASSWORD,
        &session,
        client.secret.as_deref().unwrap(),
        &code,
        t.access_token.secret(),
        t.refresh_token.secret(),
    ] {
        assert!(
            !haystack.contains(secret),
            "{secret:.12}… is stored in the clear"
        );
    }
    assert!(
        haystack.contains(&api::crypto::sha256_hex(t.access_token.secret())),
        "tokens are stored as SHA-256"
    );
}

#[tokio::test]
async fn expired_codes_tokens_and_sessions_are_swept() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    app.tokens(&client).await;
    app.get_code(&client).await;
    let swept = app
        .state
        .db
        .delete_expired(app.state.now(), 600, 3600, 24 * 3600)
        .await
        .unwrap();
    assert_eq!(swept, 0, "nothing has expired yet");
    app.clock.advance(31 * 24 * 3600);
    let swept = app
        .state
        .db
        .delete_expired(app.state.now(), 600, 3600, 24 * 3600)
        .await
        .unwrap();
    assert!(
        swept >= 5,
        "2 codes, 1 access, 1 refresh token, 1 session, and their grants: {swept}"
    );
    for table in [
        "authorization_code",
        "access_token",
        "refresh_token",
        "user_session",
        "oauth_grant",
    ] {
        assert_eq!(app.count(table).await, 0, "{table}");
    }
    assert_eq!(app.count("oauth_app").await, 1, "apps are kept");
}
