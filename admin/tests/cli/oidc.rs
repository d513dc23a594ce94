//! The OpenID Connect pieces of `oauth-admin`: signing-key rotation,
//! post-logout URIs, a person's name.

use crate::helpers::{admin, admin_json, stderr, stdout, TestDb};

#[tokio::test]
async fn rotate_signing_key_adds_keys_encrypted_when_asked() {
    let db = TestDb::new();
    let key = "ab".repeat(32);
    let out = admin(&db)
        .args(["rotate-signing-key"])
        .env("SIGNING_KEY_ENCRYPTION_KEY", &key)
        .assert()
        .success();
    let text = stdout(out.get_output());
    assert!(
        text.contains("RS256: new key") && text.contains("ES256: new key"),
        "{text}"
    );
    let out = admin(&db)
        .args(["rotate-signing-key", "--alg", "RS256"])
        .assert()
        .success();
    assert!(
        stderr(out.get_output()).contains("unencrypted"),
        "says so when it is"
    );
    let conn = api::store::Db::connect(&db.url, 1).await.unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("select alg, private_key from signing_key order by created_at, kid")
            .fetch_all(&conn.read)
            .await
            .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows.iter()
            .filter(|(a, k)| a == "RS256" && k.starts_with("plain:"))
            .count(),
        1
    );
    assert_eq!(
        rows.iter()
            .filter(|(_, k)| k.starts_with("aes256gcm:"))
            .count(),
        2
    );
    admin(&db)
        .args([
            "rotate-signing-key",
            "--signing-key-encryption-key",
            "short",
        ])
        .assert()
        .code(1);
    admin(&db)
        .args(["rotate-signing-key", "--alg", "HS256"])
        .assert()
        .code(2);
}

#[test]
fn apps_register_post_logout_uris_and_people_a_name() {
    let db = TestDb::new();
    let app = admin_json(
        &db,
        &[
            "generate-app",
            "--name",
            "SSO",
            "--description",
            "d",
            "--redirect-uris",
            "https://app.example/cb",
            "--post-logout-redirect-uris",
            "https://app.example/,https://app.example/bye",
            "--scopes",
            "READ_GRAPH",
            "--apply",
            "--json",
        ],
    );
    assert_eq!(
        app["post_logout_redirect_uris"],
        serde_json::json!(["https://app.example/", "https://app.example/bye"])
    );
    admin(&db)
        .args([
            "generate-app",
            "--name",
            "X",
            "--description",
            "d",
            "--redirect-uris",
            "https://a.example/cb",
        ])
        .args([
            "--post-logout-redirect-uris",
            "javascript:alert(1)",
            "--scopes",
            "1",
        ])
        .assert()
        .code(2);
    let out = admin(&db)
        .args([
            "create-user",
            "--email",
            "ada@example.com",
            "--name",
            "Ada Lovelace",
            "--json",
        ])
        .write_stdin("long enough pw\n")
        .assert()
        .success();
    assert!(stdout(out.get_output()).contains("ada@example.com"));
}
