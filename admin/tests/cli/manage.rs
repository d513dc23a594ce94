//! `create-user` and the app management commands, on their own database.

use crate::helpers::{admin, admin_json, apply_app, create_user, json_out, stderr, stdout, TestDb};

#[test]
fn create_user_reads_the_password_from_stdin() {
    let db = TestDb::new();
    let out = admin(&db)
        .args(["create-user", "--email", " Ada@Example.com "])
        .write_stdin("correct horse battery\n")
        .assert()
        .success();
    let text = stdout(out.get_output());
    assert!(
        text.contains("user_id: ") && text.contains("ada@example.com"),
        "{text}"
    );
    assert!(
        !text.contains("correct horse"),
        "the password is never printed"
    );
}

#[test]
fn create_user_asks_for_the_email_when_it_is_not_a_flag() {
    let db = TestDb::new();
    let out = admin(&db)
        .args(["create-user", "--json"])
        .write_stdin("not an email\nbob@example.com\nlong enough pw\n")
        .assert()
        .success();
    assert!(stderr(out.get_output()).contains("valid email"));
    assert_eq!(json_out(out.get_output())["email"], "bob@example.com");
}

#[test]
fn create_user_refuses_bad_input_with_exit_1() {
    let db = TestDb::new();
    create_user(&db, "taken@example.com", "long enough pw");
    for (email, password, why) in [
        ("taken@example.com", "long enough pw", "already exists"),
        ("nope", "long enough pw", "valid email"),
        ("short@example.com", "short", "at least 8"),
        ("nopw@example.com", "", "end of input"),
    ] {
        let stdin = if password.is_empty() {
            String::new()
        } else {
            format!("{password}\n")
        };
        let out = admin(&db)
            .args(["create-user", "--email", email])
            .write_stdin(stdin)
            .assert()
            .code(1);
        assert!(stderr(out.get_output()).contains(why), "{email}: {why}");
    }
    // A password is never a flag.
    admin(&db)
        .args(["create-user", "--email", "a@b.c", "--password", "x"])
        .assert()
        .code(2);
}

#[test]
fn unknown_apps_are_reported_with_exit_1() {
    let db = TestDb::new();
    const NOPE: &str = "agpt_client_nope";
    for args in [
        &["show-app", NOPE][..],
        &["disable-app", NOPE],
        &["enable-app", NOPE],
        &["rotate-secret", NOPE],
        &["delete-app", NOPE, "--yes"],
    ] {
        let out = admin(&db).args(args).assert().code(1);
        assert!(
            stderr(out.get_output()).contains("no application has client_id"),
            "{args:?}"
        );
    }
    let empty = stdout(admin(&db).arg("list-apps").assert().success().get_output());
    assert!(empty.contains("No applications yet"), "{empty}");
}

#[test]
fn disable_and_enable_show_in_the_app_status() {
    let db = TestDb::new();
    let app = apply_app(&db, "https://a.example/cb", "1");
    let id = app["client_id"].as_str().unwrap();
    admin(&db).args(["disable-app", id]).assert().success();
    let shown = admin_json(&db, &["show-app", id, "--json"]);
    assert_eq!(shown["active"], false);
    assert!(
        stdout(admin(&db).arg("list-apps").assert().success().get_output()).contains("disabled")
    );
    admin(&db).args(["enable-app", id]).assert().success();
    let shown = admin_json(&db, &["show-app", id, "--json"]);
    assert_eq!(shown["active"], true);
}

#[test]
fn delete_app_asks_first_unless_told_yes() {
    let db = TestDb::new();
    let app = apply_app(&db, "https://a.example/cb", "1");
    let id = app["client_id"].as_str().unwrap();

    let out = admin(&db)
        .args(["delete-app", id])
        .write_stdin("n\n")
        .assert()
        .code(1);
    assert!(stderr(out.get_output()).contains("Nothing deleted"));
    admin(&db).args(["show-app", id]).assert().success();

    let out = admin(&db)
        .args(["delete-app", id])
        .write_stdin("y\n")
        .assert()
        .success();
    assert!(stdout(out.get_output()).contains("Deleted"));
    admin(&db).args(["show-app", id]).assert().code(1);
}

#[test]
fn a_public_client_has_no_secret_to_rotate() {
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
            "--apply",
            "--json",
        ],
    );
    let out = admin(&db)
        .args(["rotate-secret", v["client_id"].as_str().unwrap()])
        .assert()
        .code(1);
    assert!(stderr(out.get_output()).contains("public client"));
}

/// `list-scopes`: the catalogue in `generate-app`'s numbering, with both
/// languages' words and the deprecated v1 scopes marked.
#[test]
fn list_scopes_prints_the_catalogue_in_the_cli_numbering() {
    let db = TestDb::new();
    let out = admin(&db).args(["list-scopes"]).assert().success();
    let text = stdout(out.get_output());
    assert!(text.starts_with(" 1. EXECUTE_GRAPH"), "{text}");
    assert!(text.contains("RUN_AGENT replaces it"), "{text}");
    assert!(text.contains("25. READ_CREDITS"), "{text}");
    let v = admin_json(&db, &["list-scopes", "--json"]);
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 25);
    assert_eq!(list[1]["name"], "READ_GRAPH");
    assert_eq!(list[0]["replaced_by"], "RUN_AGENT");
    assert_eq!(list[0]["deprecated"], true);
    assert_eq!(list[13]["name"], "RUN_AGENT");
    assert_eq!(list[13]["title"]["de"], "Agenten ausführen");
    assert_eq!(list[13]["deprecated"], false);
}
