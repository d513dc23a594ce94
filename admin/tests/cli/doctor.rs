//! `doctor` against an in-process API and, for the MCP server, a loopback
//! server publishing the protected-resource metadata each test needs.

use crate::helpers::{admin, admin_json, json_out, stdout, TestApi, TestDb};
use serde_json::{json, Value};

const METADATA_PATH: &str = "/.well-known/oauth-protected-resource/mcp";

/// An MCP server's RFC 9728 document on a free loopback port, made by
/// `document` from the resource URI; returns the document's URL and that URI.
async fn mcp_server(document: impl FnOnce(&str) -> Value) -> (String, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("bound"));
    let resource = format!("{origin}/mcp");
    let doc = document(&resource);
    let app = axum::Router::new().route(
        METADATA_PATH,
        axum::routing::get(move || {
            let doc = doc.clone();
            async move { axum::Json(doc) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("{origin}{METADATA_PATH}"), resource)
}

fn register(db: &TestDb, resource: &str) -> String {
    let r = admin_json(
        db,
        &[
            "register-resource",
            "--uri",
            resource,
            "--name",
            "MCP",
            "--json",
        ],
    );
    r["resource_id"].as_str().expect("resource_id").to_owned()
}

/// `doctor` for the API's issuer (its base URL: no public URL is configured).
fn doctor(db: &TestDb, api: &TestApi, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = admin(db);
    cmd.args(["doctor", "--public-url", &api.base]).args(extra);
    cmd
}

fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn problems(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("problem ")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_well_configured_mcp_server_passes() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    let issuer = api.base.clone();
    let (url, resource) = mcp_server(|r| {
        json!({
            "resource": r,
            "authorization_servers": [issuer],
            "scopes_supported": ["READ_GRAPH", "EXECUTE_GRAPH"],
            "bearer_methods_supported": ["header"],
        })
    })
    .await;
    register(&db, &resource);

    let out = doctor(&db, &api, &["--resource-metadata", &url])
        .assert()
        .success();
    let text = stdout(out.get_output());
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("ok ")), "{text}");
    for name in [
        "issuer_matches_public_url",
        "issuer_is_https",
        "s256_supported",
        "public_clients_supported",
        "cimd_supported",
        "openid_configuration_agrees",
        "resource_metadata_reachable",
        "resource_matches_metadata_url",
        "authorization_servers_names_issuer",
        "resource_registered",
        "resource_scopes_known",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.split_whitespace().nth(1) == Some(name)),
            "{name} missing: {text}"
        );
    }

    // Without an MCP server only our metadata is checked.
    let out = doctor(&db, &api, &[]).assert().success();
    assert_eq!(stdout(out.get_output()).lines().count(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trailing_slash_on_the_issuer_is_named() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    let with_slash = format!("{}/", api.base);
    let (url, resource) = mcp_server(|r| {
        json!({"resource": r, "authorization_servers": [with_slash], "scopes_supported": ["READ_GRAPH"]})
    })
    .await;
    register(&db, &resource);

    let out = doctor(&db, &api, &["--resource-metadata", &url])
        .assert()
        .code(1);
    let text = stdout(out.get_output());
    let problems = problems(&text);
    assert_eq!(problems.len(), 1, "{text}");
    assert!(
        problems[0].starts_with("problem authorization_servers_names_issuer:")
            && problems[0].contains("the only difference is a trailing slash")
            && problems[0].contains(&format!("publish exactly \"{}\"", api.base)),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_or_disabled_resource_is_a_problem() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    let issuer = api.base.clone();
    let (url, resource) =
        mcp_server(|r| json!({"resource": r, "authorization_servers": [issuer]})).await;

    let out = doctor(&db, &api, &["--resource-metadata", &url])
        .assert()
        .code(1);
    let text = stdout(out.get_output());
    let problems = problems(&text);
    assert_eq!(problems.len(), 1, "{text}");
    assert!(
        problems[0].starts_with("problem resource_registered:")
            && problems[0].contains(&format!("register-resource --uri {resource}")),
        "{text}"
    );

    let id = register(&db, &resource);
    admin(&db)
        .args(["disable-resource", &id])
        .assert()
        .success();
    let out = doctor(&db, &api, &["--resource-metadata", &url])
        .assert()
        .code(1);
    let text = stdout(out.get_output());
    assert!(
        text.contains(&format!("fix: oauth-admin enable-resource {id}")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_scope_is_a_problem() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    let issuer = api.base.clone();
    let (url, resource) = mcp_server(|r| {
        json!({
            "resource": r,
            "authorization_servers": [issuer],
            "scopes_supported": ["READ_GRAPH", "MAKE_COFFEE"],
        })
    })
    .await;
    register(&db, &resource);

    let out = doctor(&db, &api, &["--resource-metadata", &url])
        .assert()
        .code(1);
    let text = stdout(out.get_output());
    let problems = problems(&text);
    assert_eq!(problems.len(), 1, "{text}");
    assert!(
        problems[0].starts_with("problem resource_scopes_known:")
            && problems[0].contains("MAKE_COFFEE")
            && !problems[0].contains("[\"READ_GRAPH\""),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lists_every_check_with_its_problem_and_fix() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    let issuer = api.base.clone();
    let (url, _) = mcp_server(|r| json!({"resource": r, "authorization_servers": [issuer]})).await;

    let out = doctor(&db, &api, &["--resource-metadata", &url, "--json"])
        .assert()
        .code(1);
    let v = json_out(out.get_output());
    assert_eq!(keys(&v), ["checks", "ok"]);
    assert_eq!(v["ok"], false);
    let checks = v["checks"].as_array().expect("checks");
    for c in checks {
        assert_eq!(keys(c), ["fix", "name", "ok", "problem"], "{c}");
        assert_eq!(c["ok"].as_bool(), Some(c["problem"].is_null()), "{c}");
        assert_eq!(c["fix"].is_null(), c["problem"].is_null(), "{c}");
    }
    let failed: Vec<&Value> = checks.iter().filter(|c| c["ok"] == false).collect();
    assert_eq!(failed.len(), 1, "{v}");
    assert_eq!(failed[0]["name"], "resource_registered");
    assert!(failed[0]["fix"]
        .as_str()
        .expect("fix")
        .contains("register-resource"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issuer_comes_from_the_public_url_wherever_the_server_is_reached() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    let port = api.base.rsplit(':').next().expect("port");
    let public = format!("http://localhost:{port}");
    let out = admin(&db)
        .args(["doctor", "--server-url", &api.base])
        .env("PUBLIC_URL", &public)
        .assert()
        .code(1);
    let text = stdout(out.get_output());
    let problems = problems(&text);
    assert_eq!(problems.len(), 1, "{text}");
    assert!(
        problems[0].starts_with("problem issuer_matches_public_url:")
            && problems[0].contains(&format!("makes it \"{public}\"")),
        "{text}"
    );
}

#[test]
fn an_unreachable_server_fails_fast() {
    let db = TestDb::new();
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let out = admin(&db)
        .args([
            "doctor",
            "--public-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(1);
    let text = stdout(out.get_output());
    assert!(
        text.starts_with("problem metadata_reachable:") && text.contains("cannot connect"),
        "{text}"
    );
    admin(&db)
        .args(["doctor", "--resource-metadata", "ftp://x/"])
        .assert()
        .code(2);
}
