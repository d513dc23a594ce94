//! What the real binary logs: JSON lines on request (no terminal colours in
//! a file either way), security events with a stable `event` field, and no
//! secret anywhere.

use crate::helpers::{fresh_database, CHALLENGE, VERIFIER};
use api::crypto::{hash_secret, random_id};
use api::domain::client::GrantType;
use api::store::apps::{insert_client, NewClient};
use api::store::Db;
use serde_json::{json, Value};
use shared::{ClientId, RedirectUri, ScopeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn security_events_are_json_lines_without_secrets() {
    let (url, _dir) = fresh_database().await;
    let logs = tempfile::NamedTempFile::new().unwrap();
    let mut server = Command::new(assert_cmd::cargo::cargo_bin("api"))
        .args([
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &url,
            "--dist-dir",
            "/nonexistent",
        ])
        .args([
            "--log-format",
            "json",
            "--log-level",
            "info",
            "--max-auth-failures",
            "2",
        ])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(logs.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();

    let db = Db::connect(&url, 1).await.unwrap();
    let secret = "agpt_secret_logged_nowhere_0123456789";
    let client_id = format!("agpt_client_{}", random_id());
    insert_client(
        &db,
        &NewClient {
            oauth_app_id: random_id(),
            client_id: ClientId::parse(&client_id).unwrap(),
            secret: Some(hash_secret(secret)),
            name: "Logged".into(),
            description: String::new(),
            logo_url: None,
            redirect_uris: vec![RedirectUri::parse("http://localhost:8080/cb").unwrap()],
            allowed_scopes: ScopeSet::parse("READ_GRAPH").unwrap(),
            grant_types: GrantType::ALL.to_vec(),
            owner_id: None,
            registration: shared::Registration::Operator,
            client_uri: None,
            policy_uri: None,
            tos_uri: None,
            application_type: None,
            metadata_expires_at: None,
            post_logout_redirect_uris: Vec::new(),
            id_token_alg: None,
        },
        1,
    )
    .await
    .unwrap();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let password = "a password nobody may log";
    browser
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({"email": "ada@example.com", "password": password}))
        .send()
        .await
        .unwrap();
    for _ in 0..2 {
        http.post(format!("{base}/api/auth/login"))
            .json(&json!({"email": "ada@example.com", "password": "wrong guess here"}))
            .send()
            .await
            .unwrap();
    }
    let approved: Value = browser
        .post(format!("{base}/api/oauth/authorize"))
        .json(&json!({
            "client_id": client_id, "redirect_uri": "http://localhost:8080/cb", "state": "s",
            "code_challenge": CHALLENGE, "code_challenge_method": "S256",
            "response_type": "code", "decision": "approve"
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let redirect = url::Url::parse(approved["redirect_url"].as_str().unwrap()).unwrap();
    let code = redirect
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let exchange = || {
        http.post(format!("{base}/api/oauth/token"))
            .basic_auth(&client_id, Some(secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "http://localhost:8080/cb"),
                ("code_verifier", VERIFIER),
            ])
            .send()
    };
    let tokens: Value = exchange().await.unwrap().json().await.unwrap();
    assert_eq!(exchange().await.unwrap().status(), 400, "a replay");
    server.kill().unwrap();
    let _ = server.wait();

    let text = std::fs::read_to_string(logs.path()).unwrap();
    assert!(!text.contains('\u{1b}'), "no terminal colours in a file");
    let events: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .filter_map(|v| v["fields"]["event"].as_str().map(str::to_owned))
        .collect();
    for want in [
        "sign_in_failed",
        "lockout",
        "code_replayed",
        "grant_revoked",
    ] {
        assert!(events.iter().any(|e| e == want), "{want} in {events:?}");
    }
    for secret in [
        password,
        secret,
        code.as_str(),
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
    ] {
        assert!(!text.contains(secret), "{secret:.12}… appears in the log");
    }
    assert!(
        !text.contains("\"level\":\"ERROR\""),
        "nothing here is our failure:\n{text}"
    );
}
