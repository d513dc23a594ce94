//! The registrations real MCP clients send, as they send them: Claude's and
//! VS Code's client metadata documents (served from a loopback https server
//! with a test CA; only `client_id` differs, since a document must name the
//! URL it is served from) and Cursor's dynamic registration. Each signs in
//! to a token that the registered MCP server accepts.

use crate::doc_server::{Doc, DocServer};
use crate::helpers::{spawn_app_with, TestApp, TestClient, CHALLENGE, VERIFIER};
use crate::resources::{introspect_as, register_resource};
use serde_json::{json, Value};
use shared::{IntrospectResponse, TokenResponse};

/// An MCP server at a bare origin, registered without a trailing slash.
const MCP: &str = "https://mcp.autogpt.example";

async fn app_for(docs: &DocServer) -> TestApp {
    let ca = docs.ca_file.path().to_owned();
    spawn_app_with(move |c| {
        c.cimd.cimd_extra_root_ca = Some(ca);
        c.cimd.cimd_allow_loopback = true;
    })
    .await
}

/// Claude's published document (claude.ai, Claude Desktop, mobile), with
/// the Enterprise-Managed Authorization grant it lists.
fn claude_document(client_id: &str) -> Value {
    json!({
        "client_id": client_id,
        "client_name": "Claude",
        "client_uri": "https://claude.ai",
        "redirect_uris": ["https://claude.ai/api/mcp/auth_callback"],
        "grant_types": [
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:jwt-bearer"
        ],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none"
    })
}

/// VS Code's published document, with the device grant it lists.
fn vscode_document(client_id: &str) -> Value {
    json!({
        "client_name": "Visual Studio Code",
        "logo_uri": "https://code.visualstudio.com/assets/branding/code-stable.png",
        "grant_types": [
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
        "client_id": client_id,
        "client_uri": "https://vscode.dev/product",
        "redirect_uris": ["http://127.0.0.1:33418/", "https://vscode.dev/redirect"]
    })
}

/// Cursor's dynamic registration: "web", with a private-use scheme, its
/// hosted agents' callback and a loopback one.
fn cursor_registration() -> Value {
    json!({
        "client_name": "Cursor",
        "redirect_uris": [
            "cursor://anysphere.cursor-mcp/oauth/callback",
            "https://www.cursor.com/agents/mcp/oauth/callback",
            "http://localhost:8787/callback"
        ],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "web"
    })
}

/// The whole flow as an MCP client runs it: the consent screen loads the
/// app, the person approves, the code is exchanged with PKCE and the
/// resource (in the spelling the client uses), and the token refreshed.
/// Returns the refreshed access token.
async fn sign_in(app: &TestApp, client_id: &str, redirect_uri: &str, resource: &str) -> String {
    let enc = |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let info = app
        .get(&format!(
            "/api/oauth/app/{}?redirect_uri={}&resource={}",
            enc(client_id),
            enc(redirect_uri),
            enc(resource)
        ))
        .await;
    assert_eq!(info.status, 200, "{client_id}: {:?}", info.body);
    assert_eq!(
        info.body["resources"][0]["uri"],
        json!(resource),
        "in the request's spelling, so the page can match it"
    );
    if app.get("/api/auth/me").await.status != 200 {
        app.signup("mcp-user@example.com").await.ok();
    }
    let r = app
        .authorize(&json!({
            "client_id": client_id, "redirect_uri": redirect_uri, "state": "st",
            "scope": "READ_GRAPH EXECUTE_GRAPH", "resource": [resource],
            "code_challenge": CHALLENGE, "code_challenge_method": "S256",
            "response_type": "code", "decision": "approve",
        }))
        .await;
    let code = r
        .redirect_param("code")
        .unwrap_or_else(|| panic!("{client_id} via {redirect_uri}: {}", r.redirect_url()));
    assert!(r.redirect_url().starts_with(redirect_uri));
    let client = TestClient {
        client_id: client_id.to_owned(),
        secret: None,
        redirect_uri: redirect_uri.to_owned(),
    };
    let t: TokenResponse = app
        .post_form(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", VERIFIER),
                ("resource", resource),
            ],
        )
        .await
        .typed()
        .ok();
    assert_eq!(t.scope, "READ_GRAPH EXECUTE_GRAPH", "in the order asked");
    let refreshed: TokenResponse = app
        .post_form(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", t.refresh_token.secret()),
                ("resource", resource),
            ],
        )
        .await
        .typed()
        .ok();
    assert_eq!(refreshed.scope, "READ_GRAPH EXECUTE_GRAPH");
    refreshed.access_token.secret().to_owned()
}

async fn accepted_by_the_mcp_server(
    app: &TestApp,
    rs: &crate::resources::ResourceServer,
    token: &str,
    client_id: &str,
) {
    let seen = introspect_as(app, rs, token)
        .await
        .typed::<IntrospectResponse>()
        .ok();
    assert!(seen.active, "{client_id}");
    assert_eq!(seen.aud, Some(vec![MCP.to_owned()]));
    assert_eq!(seen.client_id.as_deref(), Some(client_id));
    assert_eq!(seen.scope.as_deref(), Some("READ_GRAPH EXECUTE_GRAPH"));
}

#[tokio::test]
async fn claude_signs_in_with_its_published_document() {
    let docs = DocServer::start().await;
    let id = docs.url("/oauth/mcp-oauth-client-metadata");
    docs.serve(
        "/oauth/mcp-oauth-client-metadata",
        Doc::json(claude_document(&id)),
    );
    let app = app_for(&docs).await;
    let rs = register_resource(&app, MCP, "AutoGPT MCP server").await;
    // Claude sends the resource with the path as the person typed it.
    let token = sign_in(&app, &id, "https://claude.ai/api/mcp/auth_callback", MCP).await;
    accepted_by_the_mcp_server(&app, &rs, &token, &id).await;
    let stored =
        api::store::apps::find_client(&app.state.db, &shared::ClientId::parse(&id).unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        stored
            .grant_types
            .iter()
            .map(|g| g.as_str())
            .collect::<Vec<_>>(),
        ["authorization_code", "refresh_token"],
        "the JWT bearer grant is not stored"
    );
}

#[tokio::test]
async fn vs_code_signs_in_with_its_published_document() {
    let docs = DocServer::start().await;
    let id = docs.url("/oauth/client-metadata.json");
    docs.serve(
        "/oauth/client-metadata.json",
        Doc::json(vscode_document(&id)),
    );
    let app = app_for(&docs).await;
    let rs = register_resource(&app, MCP, "AutoGPT MCP server").await;
    // The desktop app listens on whatever loopback port it got; VS Code
    // sends the bare origin with a slash.
    let token = sign_in(&app, &id, "http://127.0.0.1:50123/", &format!("{MCP}/")).await;
    accepted_by_the_mcp_server(&app, &rs, &token, &id).await;
    let token = sign_in(&app, &id, "https://vscode.dev/redirect", MCP).await;
    accepted_by_the_mcp_server(&app, &rs, &token, &id).await;
    // What the person allowed is reported in each request's own spelling,
    // so the page sees it as already allowed.
    for spelling in [MCP.to_owned(), format!("{MCP}/")] {
        let enc =
            |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
        let info = app
            .get(&format!(
                "/api/oauth/app/{}?resource={}",
                enc(&id),
                enc(&spelling)
            ))
            .await;
        assert_eq!(info.body["granted_resources"], json!([spelling]));
        assert_eq!(info.body["resources"][0]["uri"], json!(spelling));
    }
}

#[tokio::test]
async fn cursor_registers_as_the_native_app_it_is_and_signs_in() {
    let app = spawn_app_with(|_| {}).await;
    let rs = register_resource(&app, MCP, "AutoGPT MCP server").await;
    let r = app
        .post_json_backend("/api/oauth/register", &cursor_registration())
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["application_type"], "native", "said so");
    assert_eq!(r.body["token_endpoint_auth_method"], "none");
    assert_eq!(r.body["redirect_uris"].as_array().unwrap().len(), 3);
    let id = r.body["client_id"].as_str().unwrap().to_owned();
    for redirect in [
        "http://localhost:8787/callback",
        "cursor://anysphere.cursor-mcp/oauth/callback",
        "https://www.cursor.com/agents/mcp/oauth/callback",
    ] {
        let token = sign_in(&app, &id, redirect, &format!("{MCP}/")).await;
        accepted_by_the_mcp_server(&app, &rs, &token, &id).await;
    }
    // A confidential "web" client is still held to https.
    let mut confidential = cursor_registration();
    confidential["token_endpoint_auth_method"] = json!("client_secret_basic");
    let r = app
        .post_json_backend("/api/oauth/register", &confidential)
        .await;
    assert_eq!((r.status, r.error()), (400, "invalid_redirect_uri"));
}

#[tokio::test]
async fn registration_keeps_what_we_serve_and_says_so() {
    let app = spawn_app_with(|_| {}).await;
    let mut body = cursor_registration();
    body["grant_types"] = json!([
        "authorization_code",
        "urn:ietf:params:oauth:grant-type:device_code",
        "refresh_token",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "client_credentials"
    ]);
    body["software_id"] = json!("an-unknown-member");
    body["software_statement"] = json!("eyJhbGciOi.not.checked");
    body["scope"] = json!("READ_GRAPH mcp:tools");
    let r = app.post_json_backend("/api/oauth/register", &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        r.body["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(r.body["scope"], "READ_GRAPH");
    assert!(r.body.get("software_id").is_none());
    // Nothing we could serve: refused.
    body["grant_types"] = json!(["urn:ietf:params:oauth:grant-type:device_code"]);
    let r = app.post_json_backend("/api/oauth/register", &body).await;
    assert_eq!((r.status, r.error()), (400, "invalid_client_metadata"));
    assert!(r.body["error_description"]
        .as_str()
        .unwrap()
        .contains("authorization_code"));
}

#[tokio::test]
async fn documents_that_cannot_be_served_or_hold_secrets_are_refused() {
    let docs = DocServer::start().await;
    let app = app_for(&docs).await;
    let enc = |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    for (path, edit) in [
        (
            "/only-jwt",
            json!({"grant_types": ["urn:ietf:params:oauth:grant-type:jwt-bearer"]}),
        ),
        ("/secret", json!({"client_secret": "s3cr3t"})),
        (
            "/bad-redirect",
            json!({"redirect_uris": ["https://evil.example/cb#frag"]}),
        ),
    ] {
        let id = docs.url(path);
        let mut doc = claude_document(&id);
        for (k, v) in edit.as_object().unwrap() {
            doc[k] = v.clone();
        }
        docs.serve(path, Doc::json(doc));
        let r = app
            .get(&format!(
                "/api/oauth/app/{}?redirect_uri={}",
                enc(&id),
                enc("https://claude.ai/api/mcp/auth_callback")
            ))
            .await;
        assert_eq!(
            (r.status, r.error()),
            (400, "invalid_client"),
            "{path}: {:?}",
            r.body
        );
    }
}
