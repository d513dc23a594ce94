//! `register-resource` and the resource commands; `list-apps` says how apps were registered.

use crate::helpers::{admin, admin_json, apply_app, list_apps, stderr, stdout, TestDb};

#[test]
fn a_resource_is_registered_listed_disabled_and_deleted() {
    let db = TestDb::new();
    let r = admin_json(
        &db,
        &[
            "register-resource",
            "--uri",
            "https://mcp.example.com/mcp",
            "--name",
            "AutoGPT MCP server",
            "--json",
        ],
    );
    let id = r["resource_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("agpt_resource_"));
    assert!(r["resource_secret"].as_str().unwrap().len() > 40);
    assert_eq!(r["uri"], "https://mcp.example.com/mcp");
    assert_eq!(r["name"], "AutoGPT MCP server");

    let dup = admin(&db)
        .args([
            "register-resource",
            "--uri",
            "https://mcp.example.com/mcp",
            "--name",
            "Again",
        ])
        .assert()
        .code(1);
    assert!(
        stderr(dup.get_output()).contains("already"),
        "{}",
        stderr(dup.get_output())
    );
    let list = admin_json(&db, &["list-resources", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        list[0].get("resource_secret").is_none(),
        "the secret is shown once"
    );

    let by_uri = admin_json(
        &db,
        &["show-resource", "https://mcp.example.com/mcp", "--json"],
    );
    assert_eq!(by_uri["resource_id"], id.as_str());
    admin(&db)
        .args(["disable-resource", &id])
        .assert()
        .success();
    assert_eq!(
        admin_json(&db, &["show-resource", &id, "--json"])["active"],
        false
    );
    admin(&db).args(["enable-resource", &id]).assert().success();
    admin(&db).args(["delete-resource", &id]).assert().success();
    let gone = admin(&db).args(["show-resource", &id]).assert().code(1);
    assert!(stderr(gone.get_output()).contains("no resource"));
}

#[test]
fn resource_uris_must_be_https_without_fragment() {
    let db = TestDb::new();
    for bad in [
        "http://mcp.example.com/mcp",
        "https://mcp.example.com/mcp#x",
        "mcp",
    ] {
        admin(&db)
            .args(["register-resource", "--uri", bad, "--name", "X"])
            .assert()
            .code(2);
    }
}

#[test]
fn list_apps_says_how_each_app_was_registered() {
    let db = TestDb::new();
    apply_app(&db, "http://localhost:8080/cb", "READ_GRAPH");
    assert_eq!(list_apps(&db)[0]["registration"], "operator");
    let out = admin(&db).args(["list-apps"]).assert().success();
    let text = stdout(out.get_output());
    assert!(
        text.contains("REGISTERED BY") && text.contains("operator"),
        "{text}"
    );
}
