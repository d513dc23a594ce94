//! RFC 8414 metadata.

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn metadata_describes_the_server() {
    let app = spawn_app_with(|c| c.public_url = Some("https://auth.example.com/".into())).await;
    assert_eq!(
        &*app.state.issuer, "https://auth.example.com",
        "one issuer, computed once"
    );
    let r = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(r.status, 200);
    let m = &r.body;
    assert_eq!(m["issuer"], "https://auth.example.com");
    assert_eq!(
        m["authorization_endpoint"],
        "https://auth.example.com/auth/authorize"
    );
    assert_eq!(
        m["token_endpoint"],
        "https://auth.example.com/api/oauth/token"
    );
    assert_eq!(
        m["introspection_endpoint"],
        "https://auth.example.com/api/oauth/introspect"
    );
    assert_eq!(
        m["revocation_endpoint"],
        "https://auth.example.com/api/oauth/revoke"
    );
    assert_eq!(m["scopes_supported"].as_array().unwrap().len(), 29);
    assert_eq!(m["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        m["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(
        m["code_challenge_methods_supported"],
        serde_json::json!(["S256", "plain"])
    );
    assert_eq!(
        m["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post", "none"])
    );
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
}

#[tokio::test]
async fn metadata_omits_plain_pkce_when_it_is_off() {
    let app = spawn_app_with(|c| c.tokens.pkce_plain_enabled = false).await;
    let r = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(
        r.body["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
}

#[tokio::test]
async fn discovery_gives_mcp_clients_what_they_look_for() {
    let app = crate::helpers::spawn_app().await;
    let m = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .body;
    assert_eq!(m["issuer"], serde_json::json!(&*app.state.issuer));
    assert_eq!(m["client_id_metadata_document_supported"], true);
    assert!(m["registration_endpoint"].is_string());
    // Unknown well-known paths (MCP clients probe several) are a JSON 404, never a page or a 5xx.
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-authorization-server/mcp",
        "/.well-known/anything/else",
    ] {
        let r = app.get(path).await;
        assert_eq!((r.status, r.error()), (404, "not_found"), "{path}");
    }
}

#[tokio::test]
async fn browser_clients_get_cors_where_they_need_it_and_nowhere_else() {
    let app = crate::helpers::spawn_app().await;
    let origin = "https://spa.example";
    for path in [
        "/api/oauth/token",
        "/api/oauth/introspect",
        "/api/oauth/revoke",
        "/api/oauth/register",
        "/.well-known/oauth-authorization-server",
    ] {
        let r = crate::helpers::send(
            app.http
                .request(reqwest::Method::OPTIONS, app.url(path))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization, content-type, mcp-protocol-version",
                ),
        )
        .await;
        assert!(r.status < 300, "{path}: preflight answered {}", r.status);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "{path}");
        let headers = r
            .header("access-control-allow-headers")
            .unwrap_or_default()
            .to_ascii_lowercase();
        for h in ["authorization", "content-type", "mcp-protocol-version"] {
            assert!(headers.contains(h), "{path}: {headers}");
        }
        assert!(
            r.header("access-control-allow-credentials").is_none(),
            "{path}"
        );
    }
    // The actual answer carries the header too (an error included).
    let r = crate::helpers::send(
        app.http
            .post(app.url("/api/oauth/token"))
            .header("origin", origin)
            .form(&[("grant_type", "authorization_code")]),
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    // Never on the session, the decision, or the consent screen.
    for (method, path) in [
        (reqwest::Method::OPTIONS, "/api/oauth/authorize"),
        (reqwest::Method::OPTIONS, "/api/auth/login"),
        (reqwest::Method::OPTIONS, "/api/auth/me"),
        (reqwest::Method::GET, "/api/auth/me"),
        (reqwest::Method::GET, "/auth/authorize"),
    ] {
        let r = crate::helpers::send(
            app.http
                .request(method.clone(), app.url(path))
                .header("origin", origin)
                .header("access-control-request-method", "POST"),
        )
        .await;
        assert!(
            r.header("access-control-allow-origin").is_none(),
            "{method} {path}"
        );
    }
}
