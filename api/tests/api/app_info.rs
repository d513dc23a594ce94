//! `GET /api/oauth/app/{client_id}`: what the consent screen shows.

use crate::helpers::spawn_app;
use api::store::apps::set_disabled;
use serde_json::json;

#[tokio::test]
async fn active_app_is_described_with_its_scopes() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let r = app
        .get(&format!("/api/oauth/app/{}", client.client_id))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({
            "client_id": client.client_id,
            "name": "Test App",
            "description": "An app for tests",
            "logo_url": "https://example.com/logo.png",
            "scopes": [
                {"name": "EXECUTE_GRAPH", "description": "Execute agents/graphs"},
                {"name": "READ_GRAPH", "description": "Read agent/graph definitions and execution results"},
            ],
        })
    );
    assert!(r.body.get("client_secret").is_none());
}

#[tokio::test]
async fn unknown_and_disabled_apps_are_not_found() {
    let app = spawn_app().await;
    let r = app.get("/api/oauth/app/agpt_client_nope").await;
    assert_eq!((r.status, r.error()), (404, "not_found"));
    let client = app.default_app().await;
    set_disabled(
        &app.state.db,
        &client.client_id,
        Some(app.state.now()),
        app.state.now(),
    )
    .await
    .unwrap();
    let r = app
        .get(&format!("/api/oauth/app/{}", client.client_id))
        .await;
    assert_eq!((r.status, r.error()), (404, "not_found"));
}
