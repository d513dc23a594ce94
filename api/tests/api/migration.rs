//! The schema is append-only: a database made by an earlier release keeps
//! working after the later migrations run over it.

use crate::helpers::{fresh_database, start, REDIRECT, VERIFIER};
use api::config::Config;
use api::crypto::{hash_secret, random_id};
use api::store::{Db, MIGRATOR};
use serde_json::json;
use shared::TokenResponse;
use sqlx::migrate::Migrator;

/// The first release's schema: the migrations up to and including `init`.
fn first_release() -> Migrator {
    Migrator {
        migrations: MIGRATOR
            .migrations
            .iter()
            .filter(|m| m.version == 20261126000001)
            .cloned()
            .collect::<Vec<_>>()
            .into(),
        ..Migrator::DEFAULT
    }
}

#[tokio::test]
async fn an_app_registered_under_the_first_schema_still_signs_people_in() {
    let (url, dir) = fresh_database().await;
    let old = Db::open(&url, 2).await.unwrap();
    first_release().run(&old.read).await.unwrap();
    // Rows exactly as the first release wrote them: redirect URIs as a JSON
    // array, scopes and grant types comma-separated.
    let secret = "agpt_secret_from_the_first_release";
    let hashed = hash_secret(secret);
    let uris = r#"["https://old.example/cb","http://localhost:8080/callback","https://q.example/cb?a=\"b\"\\c"]"#;
    sqlx::query(
        "insert into oauth_app (oauth_app_id, client_id, client_secret_hash, client_secret_salt, name,
            description, logo_url, redirect_uris, allowed_scopes, grant_types, owner_id, disabled_at,
            created_at, updated_at)
         values ($1, 'agpt_client_old', $2, $3, 'Old App', 'From before', null, $4,
                 'EXECUTE_GRAPH,READ_GRAPH', 'authorization_code,refresh_token', null, null, 1, 1)",
    )
    .bind(random_id())
    .bind(&hashed.hash)
    .bind(&hashed.salt)
    .bind(uris)
    .execute(&old.read)
    .await
    .unwrap();
    old.close().await;

    // The new release starts on it (running the later migrations).
    let app = start(Config::for_tests(&url), dir).await;
    let uris = {
        let client = api::store::apps::find_client(
            &app.state.db,
            &shared::ClientId::parse("agpt_client_old").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            client.allowed_scopes.to_space_separated(),
            "EXECUTE_GRAPH READ_GRAPH"
        );
        assert_eq!(client.grant_types.len(), 2);
        api::store::apps::redirect_uris(&app.state.db, &client.oauth_app_id)
            .await
            .unwrap()
    };
    assert_eq!(
        uris,
        [
            "http://localhost:8080/callback",
            "https://old.example/cb",
            r#"https://q.example/cb?a="b"\c"#,
        ],
        "every URI of the JSON array became a row, escapes undone"
    );

    app.signup("ada@example.com").await.ok();
    let mut body = app.authorize_body(&crate::helpers::TestClient {
        client_id: "agpt_client_old".into(),
        secret: Some(secret.into()),
        redirect_uri: REDIRECT.into(),
    });
    body["scope"] = json!("READ_GRAPH");
    let code = app.authorize(&body).await.redirect_param("code").unwrap();
    let t = app
        .http
        .post(app.url("/api/oauth/token"))
        .basic_auth("agpt_client_old", Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap()
        .json::<TokenResponse>()
        .await
        .unwrap();
    assert_eq!(t.scope, "READ_GRAPH");
}

/// Resources registered before they had keys are found in any spelling
/// once the server has started on the database.
#[tokio::test]
async fn resources_from_before_keys_get_theirs_at_start() {
    let (url, dir) = fresh_database().await;
    let old = Db::open(&url, 2).await.unwrap();
    let before_keys = Migrator {
        migrations: MIGRATOR
            .migrations
            .iter()
            .filter(|m| m.version < 20261208000001)
            .cloned()
            .collect::<Vec<_>>()
            .into(),
        ..Migrator::DEFAULT
    };
    before_keys.run(&old.read).await.unwrap();
    sqlx::query(
        "insert into protected_resource (protected_resource_id, resource_uri, name, secret_hash,
            secret_salt, scopes, disabled_at, created_at)
         values ('agpt_resource_old', 'https://Old.example.com', 'Old', 'h', 's', '', null, 1)",
    )
    .execute(&old.read)
    .await
    .unwrap();
    old.close().await;

    let app = start(Config::for_tests(&url), dir).await;
    let found = api::store::resources::find_by_uris(
        &app.state.db,
        &[shared::ResourceUri::parse("https://old.example.com/").unwrap()],
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].uri.as_str(),
        "https://Old.example.com",
        "as registered"
    );
}
