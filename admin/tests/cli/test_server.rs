//! `test-server` over HTTP (the browser walk-through is in the e2e suite):
//! its page, its sign-in link, a flow through it, and its clean-up on SIGTERM.

use crate::helpers::{admin, list_apps, TestApi, TestDb};
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running `oauth-admin test-server`, killed if the test fails before stopping it.
struct TestServer {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// What it printed up to its "listening" line.
    banner: String,
    url: String,
}

impl TestServer {
    fn start(db: &TestDb, owner_id: &str, api_base: &str) -> TestServer {
        TestServer::start_with(db, owner_id, api_base, &[])
    }

    fn start_with(db: &TestDb, owner_id: &str, api_base: &str, extra: &[&str]) -> TestServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oauth-admin"))
            .args(["test-server", "--owner-id", owner_id, "--port", "0"])
            .args(extra)
            .args(["--platform-url", api_base, "--backend-url", api_base])
            .env("DATABASE_URL", &db.url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("test-server starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut banner = String::new();
        let url = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).expect("read stdout") == 0 {
                panic!("test-server exited before listening: {banner}");
            }
            banner.push_str(&line);
            if let Some(url) = line.trim().strip_prefix("test server listening on ") {
                break url.to_owned();
            }
        };
        TestServer {
            child,
            stdout,
            banner,
            url,
        }
    }

    /// Sends SIGTERM, waits for the exit, and returns the status and the rest of stdout.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).expect("read stdout");
        let status = self.child.wait().expect("exits");
        (status, rest)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text between `start` and the next `end`, after `start`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {html}"))
        + start.len();
    let len = html[from..].find(end).expect("end marker");
    &html[from..from + len]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_server_runs_a_flow_server_side_and_deletes_its_app_on_sigterm() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    let owner = api.sign_up("ada@example.com").await;
    let server = TestServer::start(&db, &owner, &api.base);
    assert!(
        server.url.starts_with("http://localhost:"),
        "{}",
        server.url
    );
    assert!(
        server.banner.contains("client_id:     agpt_client_"),
        "{}",
        server.banner
    );
    assert!(
        !server.banner.contains("agpt_secret_"),
        "the secret is not printed"
    );
    let http = reqwest::Client::new();

    // The home page's button starts an S256 flow with a fresh state.
    let home = http
        .get(&server.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Sign in with AutoGPT"));
    let href =
        between(&home, "id=\"sign-in\" class=\"button\" href=\"", "\"").replace("&amp;", "&");
    let link = url::Url::parse(&href).unwrap();
    assert_eq!(
        link.as_str().split('?').next(),
        Some(format!("{}/auth/authorize", api.base).as_str())
    );
    let query: std::collections::HashMap<String, String> =
        link.query_pairs().into_owned().collect();
    assert!(query["client_id"].starts_with("agpt_client_"));
    assert_eq!(query["redirect_uri"], format!("{}/callback", server.url));
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43);
    assert_eq!(query["scope"].split(' ').count(), 25);
    assert!(query["state"].len() >= 32);
    let again = http
        .get(&server.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !again.contains(&query["state"]),
        "every sign-in gets a fresh state"
    );

    // The person approves; the browser lands on the callback, which exchanges the code.
    let approved: serde_json::Value = api
        .browser
        .post(format!("{}/api/oauth/authorize", api.base))
        .json(&json!({
            "client_id": query["client_id"], "redirect_uri": query["redirect_uri"],
            "scope": query["scope"], "state": query["state"],
            "code_challenge": query["code_challenge"], "code_challenge_method": "S256",
            "response_type": "code", "decision": "approve",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let callback = approved["redirect_url"].as_str().unwrap();
    assert!(
        callback.starts_with(&format!("{}/callback?", server.url)),
        "{callback}"
    );
    let page = http
        .get(callback)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Tokens received"), "{page}");
    assert!(
        !page.contains("agpt_secret_"),
        "the secret never reaches the browser"
    );
    let access = between(&page, "id=\"access-token\">", "<").to_owned();
    let refresh = between(&page, "id=\"refresh-token\">", "<").to_owned();
    assert!(access.starts_with("agpt_xt_") && refresh.starts_with("agpt_rt_"));

    // The same callback again: its state was used up.
    let replay = http.get(callback).send().await.unwrap();
    assert_eq!(replay.status(), 400);

    // Test, refresh and revoke, each done by the test server.
    let form = |extra: &[(&'static str, &str)]| {
        let mut f = vec![
            ("access_token", access.clone()),
            ("refresh_token", refresh.clone()),
        ];
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    let post = |path: &str, form: Vec<(&'static str, String)>| {
        let req = http.post(format!("{}{path}", server.url)).form(&form);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let introspected = post("/introspect", form(&[])).await;
    assert!(
        introspected.contains("&quot;active&quot;: true"),
        "{introspected}"
    );
    let refreshed = post("/refresh", form(&[])).await;
    assert!(refreshed.contains("Tokens received"), "{refreshed}");
    let revoked = post("/revoke", form(&[("which", "access")])).await;
    assert!(revoked.contains("HTTP 200"), "{revoked}");
    let introspected = post("/introspect", form(&[])).await;
    assert!(
        introspected.contains("&quot;active&quot;: false"),
        "{introspected}"
    );

    // SIGTERM: the app goes, with everything the flow made.
    let (status, rest) = server.terminate();
    assert!(status.success(), "{status:?}: {rest}");
    assert!(
        rest.contains("1 grant(s), 1 authorization code(s), 2 access token(s), 2 refresh token(s)"),
        "{rest}"
    );
    let listed = list_apps(&db);
    assert_eq!(listed, json!([]));
}

#[test]
fn the_test_server_needs_an_existing_owner() {
    let db = TestDb::new();
    let out = admin(&db)
        .args(["test-server", "--owner-id", "nobody", "--port", "0"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("names no user") && err.contains("create-user"),
        "{err}"
    );
    admin(&db).args(["test-server"]).assert().code(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oidc_test_server_verifies_the_id_token_and_shows_userinfo() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    let owner = api.sign_up("grace@example.com").await;
    let server = TestServer::start_with(&db, &owner, &api.base, &["--oidc"]);
    assert!(
        server.banner.contains("OpenID Connect"),
        "{}",
        server.banner
    );
    let http = reqwest::Client::new();
    let home = http
        .get(&server.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("OpenID Connect test client"), "{home}");
    let href =
        between(&home, "id=\"sign-in\" class=\"button\" href=\"", "\"").replace("&amp;", "&");
    let query: std::collections::HashMap<String, String> = url::Url::parse(&href)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(query["scope"], "openid profile email");
    assert!(query["nonce"].len() >= 32, "{query:?}");

    let approved: serde_json::Value = api
        .browser
        .post(format!("{}/api/oauth/authorize", api.base))
        .json(&json!({
            "client_id": query["client_id"], "redirect_uri": query["redirect_uri"],
            "scope": query["scope"], "state": query["state"], "nonce": query["nonce"],
            "code_challenge": query["code_challenge"], "code_challenge_method": "S256",
            "response_type": "code", "decision": "approve",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page = http
        .get(approved["redirect_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("ID Token verified."), "{page}");
    assert!(
        page.contains("nonce is the one this sign-in sent"),
        "{page}"
    );
    assert!(page.contains("at_hash matches the access token"), "{page}");
    let claims: serde_json::Value = serde_json::from_str(
        &between(&page, "<pre id=\"id-token-claims\">", "</pre>").replace("&quot;", "\""),
    )
    .unwrap();
    assert_eq!(claims["sub"], owner.as_str());
    assert_eq!(claims["nonce"], query["nonce"].as_str());
    assert_eq!(claims["aud"], query["client_id"].as_str());
    let userinfo: serde_json::Value = serde_json::from_str(
        &between(&page, "<pre id=\"userinfo\">", "</pre>").replace("&quot;", "\""),
    )
    .unwrap();
    assert_eq!(userinfo["sub"], owner.as_str());
    assert_eq!(userinfo["email"], "grace@example.com");

    // A refresh brings a new ID Token for the same person, again verified.
    let access = between(&page, "id=\"access-token\">", "<").to_owned();
    let refresh = between(&page, "id=\"refresh-token\">", "<").to_owned();
    let nonce = between(&page, "name=\"nonce\" value=\"", "\"").to_owned();
    assert_eq!(nonce, query["nonce"]);
    let refreshed = http
        .post(format!("{}/refresh", server.url))
        .form(&[
            ("access_token", access),
            ("refresh_token", refresh),
            ("nonce", nonce),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(refreshed.contains("ID Token verified."), "{refreshed}");
    let again: serde_json::Value = serde_json::from_str(
        &between(&refreshed, "<pre id=\"id-token-claims\">", "</pre>").replace("&quot;", "\""),
    )
    .unwrap();
    assert_eq!(again["sub"], claims["sub"]);
    assert_eq!(again["auth_time"], claims["auth_time"]);
    let (status, _) = server.terminate();
    assert!(status.success());
}
