//! Apps made by the CLI, used for real: an in-process API, a signed-in
//! browser, and the token endpoint with the secret the CLI printed.

use crate::helpers::{
    admin, admin_json, apply_app, json_out, list_apps, psql_script, run_sqlite_script, stdout,
    TestApi, TestDb,
};
use serde_json::Value;

const REDIRECT: &str = "http://localhost:8080/callback";

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applied_app_gets_tokens_and_obeys_disable_rotate_and_delete() {
    let db = TestDb::new();
    let api = TestApi::spawn(&db).await;
    api.sign_up("ada@example.com").await;
    let app = apply_app(&db, REDIRECT, "1,2");
    let (id, secret) = (s(&app["client_id"]), s(&app["client_secret"]));

    let code = api
        .authorize(id, REDIRECT, "EXECUTE_GRAPH READ_GRAPH")
        .await;
    let (status, tokens) = api.exchange(id, secret, &code).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["scope"], "EXECUTE_GRAPH READ_GRAPH");
    let refresh = |token: String, secret: String| {
        let api = &api;
        async move {
            api.token(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &token),
                ("client_id", id),
                ("client_secret", &secret),
            ])
            .await
        }
    };

    // Disabled: the app cannot use its tokens at all; enabled again: it can.
    admin(&db).args(["disable-app", id]).assert().success();
    let (status, body) = refresh(s(&tokens["refresh_token"]).into(), secret.into()).await;
    assert!(matches!(status, 400 | 401), "{status} {body}");
    let (status, _) = api
        .post_form(
            "/api/oauth/introspect",
            &[
                ("token", s(&tokens["access_token"])),
                ("client_id", id),
                ("client_secret", secret),
            ],
        )
        .await;
    assert!(
        matches!(status, 400 | 401),
        "introspection by a disabled app: {status}"
    );
    admin(&db).args(["enable-app", id]).assert().success();
    let (status, tokens) = refresh(s(&tokens["refresh_token"]).into(), secret.into()).await;
    assert_eq!(status, 200, "{tokens}");

    // Rotated: the old secret stops working, the new one works.
    let rotated = admin_json(&db, &["rotate-secret", id, "--json"]);
    let new_secret = s(&rotated["client_secret"]).to_owned();
    assert_ne!(new_secret, secret);
    let (status, body) = refresh(s(&tokens["refresh_token"]).into(), secret.into()).await;
    assert!(
        matches!(status, 400 | 401),
        "old secret after rotation: {status} {body}"
    );
    let (status, tokens) = refresh(s(&tokens["refresh_token"]).into(), new_secret.clone()).await;
    assert_eq!(status, 200, "{tokens}");

    let shown = admin_json(&db, &["show-app", id, "--json"]);
    assert_eq!(shown["usage"]["grants"], 1);
    assert_eq!(shown["usage"]["authorization_codes"], 1);

    // Deleted: gone with its rows, and its tokens with it.
    let out = admin(&db)
        .args(["delete-app", id, "--yes"])
        .assert()
        .success();
    let text = stdout(out.get_output());
    assert!(
        text.contains("1 grant(s), 1 authorization code(s), 3 access token(s), 3 refresh token(s)"),
        "{text}"
    );
    admin(&db).args(["show-app", id]).assert().code(1);
    let (status, _) = refresh(s(&tokens["refresh_token"]).into(), new_secret).await;
    assert!(matches!(status, 400 | 401));
}

/// Prints the SQL for an app owned by a fresh user, loads it with `load`,
/// and completes a token flow with the secret the CLI printed.
async fn sql_output_is_a_working_registration(
    db: &TestDb,
    load: impl AsyncFn(&str) -> Result<(), String>,
) {
    let api = TestApi::spawn(db).await;
    let owner = api.sign_up("owner@example.com").await;
    let generated = |owner: Option<&str>| {
        let mut cmd = admin(db);
        cmd.args([
            "generate-app",
            "--name",
            "Café “SQL” O'Neil",
            "--description",
            "Back\\slash; -- not a comment",
        ])
        .args([
            "--redirect-uris",
            REDIRECT,
            "--scopes",
            "READ_GRAPH,USE_TOOLS",
            "--json",
        ]);
        if let Some(owner) = owner {
            cmd.args(["--owner-id", owner]);
        }
        json_out(cmd.assert().success().get_output())
    };

    let unowned = generated(None);
    let err = load(s(&unowned["sql"]))
        .await
        .expect_err("the owner placeholder must make the insert fail");
    assert!(err.to_lowercase().contains("foreign key"), "{err}");

    let app = generated(Some(&owner));
    load(s(&app["sql"])).await.expect("the SQL loads");
    let listed = list_apps(db);
    assert_eq!(listed[0]["name"], "Café “SQL” O'Neil");
    assert_eq!(listed[0]["description"], "Back\\slash; -- not a comment");

    let id = s(&app["client_id"]);
    let code = api.authorize(id, REDIRECT, "READ_GRAPH USE_TOOLS").await;
    let (status, tokens) = api.exchange(id, s(&app["client_secret"]), &code).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["scope"], "READ_GRAPH USE_TOOLS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_output_loads_into_sqlite_and_its_secret_authenticates() {
    let db = TestDb::sqlite();
    sql_output_is_a_working_registration(&db, async |sql: &str| {
        run_sqlite_script(&db, sql).await.map_err(|e| e.to_string())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_output_loads_into_postgres_and_its_secret_authenticates() {
    let Some(db) = TestDb::postgres() else {
        eprintln!("skipped: set TEST_DATABASE_URL_PG to run against PostgreSQL");
        return;
    };
    let url = db.url.clone();
    sql_output_is_a_working_registration(&db, async |sql: &str| match psql_script(&url, sql) {
        (true, _) => Ok(()),
        (false, err) => Err(err),
    })
    .await;
}
