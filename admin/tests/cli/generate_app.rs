//! `generate-app`: flag mode, interactive mode, refusals, SQL and JSON output.

use crate::helpers::{
    admin, admin_json, create_user, json_out, list_apps, run_sqlite_script, stderr, stdout, TestDb,
};
use serde_json::json;

#[tokio::test]
async fn flag_mode_prints_a_script_that_fails_loudly_until_the_owner_is_filled_in() {
    let db = TestDb::sqlite();
    let out = admin(&db)
        .args([
            "generate-app",
            "--name",
            "O'Brien's App",
            "--description",
            "Runs agents",
        ])
        .args(["--redirect-uris", "http://localhost:8080/callback"])
        .args(["--scopes", "1,READ_GRAPH"])
        .assert()
        .success();
    let sql = stdout(out.get_output());
    assert!(sql.contains("--   client_id:     agpt_client_"), "{sql}");
    assert!(sql.contains("--   client_secret: agpt_secret_"), "{sql}");
    assert!(sql.contains("'O''Brien''s App'"), "{sql}");
    assert!(sql.contains("'EXECUTE_GRAPH READ_GRAPH'"), "{sql}");
    assert!(sql.contains("'authorization_code refresh_token'"), "{sql}");
    assert!(
        sql.contains(
            "insert into oauth_app_redirect_uri (oauth_app_id, redirect_uri, match_key) values ("
        ) && sql.contains(", 'http://localhost:8080/callback', 'http://localhost/callback');"),
        "{sql}"
    );
    assert!(sql.contains("'YOUR_USER_ID_HERE'"), "{sql}");
    assert!(stderr(out.get_output()).contains("shown only once"));

    // The schema exists once any command has opened the database.
    let user_id = create_user(&db, "owner@example.com", "long enough pw");
    let err = run_sqlite_script(&db, &sql)
        .await
        .expect_err("placeholder must fail");
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");

    run_sqlite_script(&db, &sql.replace("YOUR_USER_ID_HERE", &user_id))
        .await
        .expect("the script loads once the owner is filled in");
    let listed = list_apps(&db);
    assert_eq!(listed[0]["name"], "O'Brien's App");
    assert_eq!(listed[0]["owner_id"], user_id.as_str());
    assert_eq!(listed[0]["scopes"], json!(["EXECUTE_GRAPH", "READ_GRAPH"]));
}

#[test]
fn json_without_apply_carries_the_sql_and_registers_nothing() {
    let db = TestDb::new();
    let v = admin_json(
        &db,
        &[
            "generate-app",
            "--name",
            "A",
            "--redirect-uris",
            "https://a.example/cb",
            "--scopes",
            "2",
            "--json",
        ],
    );
    assert_eq!(v["applied"], false);
    assert!(v["sql"].as_str().unwrap().contains("insert into oauth_app"));
    assert!(v["client_secret"]
        .as_str()
        .unwrap()
        .starts_with("agpt_secret_"));
    assert_eq!(v["scopes"], json!(["READ_GRAPH"]));
    let listed = list_apps(&db);
    assert_eq!(listed, json!([]));
}

#[test]
fn apply_registers_the_app_and_show_app_describes_it() {
    let db = TestDb::new();
    let v = admin_json(
        &db,
        &[
            "generate-app",
            "--name",
            "Shown",
            "--description",
            "Does things",
            "--redirect-uris",
            "https://a.example/cb, com.example.app:/oauth, https://a.example/cb",
            "--scopes",
            "read_graph, 1, 9",
            "--apply",
            "--json",
        ],
    );
    assert_eq!(v["applied"], true);
    assert_eq!(v["sql"], serde_json::Value::Null);
    assert_eq!(v["name"], "Shown");
    assert_eq!(
        v["redirect_uris"],
        json!(["https://a.example/cb", "com.example.app:/oauth"])
    );
    assert_eq!(
        v["scopes"],
        json!(["EXECUTE_GRAPH", "READ_GRAPH", "DELETE_INTEGRATIONS"])
    );
    let client_id = v["client_id"].as_str().unwrap();

    let shown = admin(&db).args(["show-app", client_id]).assert().success();
    let text = stdout(shown.get_output());
    for expected in [
        "Shown",
        "Does things",
        "confidential",
        "active",
        "(none: the operator)",
        "0 grant(s)",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let listed = stdout(admin(&db).arg("list-apps").assert().success().get_output());
    assert!(
        listed.contains(client_id) && listed.contains("Shown"),
        "{listed}"
    );
}

#[test]
fn a_public_client_gets_no_secret() {
    let db = TestDb::new();
    let v = admin_json(
        &db,
        &[
            "generate-app",
            "--name",
            "Native",
            "--redirect-uris",
            "com.example.app:/cb",
            "--scopes",
            "1",
            "--public",
            "--json",
        ],
    );
    assert_eq!(v["client_secret"], serde_json::Value::Null);
    let sql = v["sql"].as_str().unwrap();
    assert!(sql.contains("    null,\n    null,\n    'Native'"), "{sql}");
}

#[test]
fn unsafe_or_unknown_flag_values_are_usage_errors_with_a_reason() {
    let db = TestDb::new();
    for (uris, scopes, why) in [
        (
            "javascript:alert(1)",
            "1",
            "javascript: scheme is not allowed",
        ),
        ("data:text/html,hi", "1", "data: scheme is not allowed"),
        ("file:///etc/passwd", "1", "file: scheme is not allowed"),
        (
            "http://evil.example/cb",
            "1",
            "plain http on a non-loopback host",
        ),
        ("https://a.example/cb#frag", "1", "fragment"),
        ("https://u:p@a.example/cb", "1", "user information"),
        ("/relative", "1", "not an absolute URI"),
        ("myapp:/cb", "1", "myapp: scheme is not allowed"),
        ("https://a.example/cb", "0", "no scope number 0"),
        ("https://a.example/cb", "26", "no scope number 26"),
        ("https://a.example/cb", "ADMIN", "unknown scope"),
        ("https://a.example/cb", "", "empty"),
    ] {
        let out = admin(&db)
            .args([
                "generate-app",
                "--name",
                "X",
                "--redirect-uris",
                uris,
                "--scopes",
                scopes,
            ])
            .assert()
            .code(2);
        let err = stderr(out.get_output());
        assert!(
            err.contains(why),
            "{uris} / {scopes}: expected {why:?} in {err}"
        );
        assert!(
            stdout(out.get_output()).is_empty(),
            "{uris} / {scopes}: no output"
        );
    }
}

#[test]
fn bad_names_and_unknown_owners_are_refused_with_exit_1() {
    let db = TestDb::new();
    for (name, why) in [
        ("   ", "name is required"),
        ("two\nlines", "control characters"),
        ("Claude\u{202E}redis", "invisible formatting"),
    ] {
        let out = admin(&db)
            .args([
                "generate-app",
                "--name",
                name,
                "--redirect-uris",
                "https://a.example/cb",
            ])
            .args(["--scopes", "1"])
            .assert()
            .code(1);
        assert!(stderr(out.get_output()).contains(why), "{name:?}");
    }
    let out = admin(&db)
        .args([
            "generate-app",
            "--name",
            "X",
            "--redirect-uris",
            "https://a.example/cb",
        ])
        .args(["--scopes", "1", "--owner-id", "nobody", "--apply"])
        .assert()
        .code(1);
    assert!(stderr(out.get_output()).contains("names no user"));
}

#[test]
fn interactive_mode_asks_again_after_a_bad_answer() {
    let db = TestDb::new();
    let answers =
        "My App\nA helpful app\nftp://files.example/cb\nhttp://localhost:8080/callback\n26\n1,2\n";
    let out = admin(&db)
        .args(["generate-app", "--apply", "--json"])
        .write_stdin(answers)
        .assert()
        .success();
    let err = stderr(out.get_output());
    for prompt in [
        "Application name",
        "Description",
        "Redirect URIs",
        "1. EXECUTE_GRAPH",
        "Scopes",
    ] {
        assert!(err.contains(prompt), "{prompt} in {err}");
    }
    assert!(err.contains("ftp: scheme is not allowed"), "{err}");
    assert!(err.contains("no scope number 26"), "{err}");
    let v = json_out(out.get_output());
    assert_eq!(v["name"], "My App");
    assert_eq!(
        v["redirect_uris"],
        json!(["http://localhost:8080/callback"])
    );
    assert_eq!(v["scopes"], json!(["EXECUTE_GRAPH", "READ_GRAPH"]));
    let shown = stdout(
        admin(&db)
            .args(["show-app", v["client_id"].as_str().unwrap()])
            .assert()
            .success()
            .get_output(),
    );
    assert!(shown.contains("A helpful app"), "{shown}");
}

#[test]
fn interactive_mode_asks_only_for_what_the_flags_left_out() {
    let db = TestDb::new();
    let out = admin(&db)
        .args([
            "generate-app",
            "--name",
            "Half",
            "--scopes",
            "READ_BLOCK",
            "--json",
        ])
        .write_stdin("\nhttps://a.example/cb, https://b.example/cb\n")
        .assert()
        .success();
    let err = stderr(out.get_output());
    assert!(
        !err.contains("Application name") && !err.contains("Scopes ("),
        "{err}"
    );
    let v = json_out(out.get_output());
    assert_eq!(
        v["redirect_uris"],
        json!(["https://a.example/cb", "https://b.example/cb"])
    );
    assert_eq!(v["scopes"], json!(["READ_BLOCK"]));
}

#[test]
fn interactive_mode_without_answers_fails_clearly() {
    let db = TestDb::new();
    let out = admin(&db)
        .arg("generate-app")
        .write_stdin("")
        .assert()
        .code(1);
    assert!(stderr(out.get_output()).contains("end of input"));
    assert!(stdout(out.get_output()).is_empty());
}
