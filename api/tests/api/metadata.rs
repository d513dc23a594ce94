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
    assert_eq!(m["scopes_supported"].as_array().unwrap().len(), 9);
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
    let app = spawn_app_with(|c| c.pkce_plain_enabled = false).await;
    let r = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(
        r.body["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
}
