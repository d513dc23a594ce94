//! The full flow driven by the `oauth2` crate: a client nobody here wrote.
//! Authorization URL → (the consent screen's call) → code → token exchange
//! with a form body and HTTP Basic → refresh → introspect → revoke.

use crate::helpers::spawn_app;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IntrospectionUrl,
    PkceCodeChallenge, RedirectUrl, Scope, TokenIntrospectionResponse, TokenResponse, TokenUrl,
};
use serde_json::{json, Value};
use std::collections::HashMap;

#[tokio::test]
async fn the_oauth2_crate_completes_the_whole_flow() {
    // The issuer is computed from the address actually bound: no pre-binding.
    let app = spawn_app().await;
    let registered = app.default_app().await;
    app.signup("ada@example.com").await;

    // Discover the endpoints like a standard client would (RFC 8414).
    let meta = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .body;
    let url = |k: &str| meta[k].as_str().unwrap().to_owned();
    let client = BasicClient::new(ClientId::new(registered.client_id.clone()))
        .set_client_secret(ClientSecret::new(registered.secret.clone().unwrap()))
        .set_auth_uri(AuthUrl::new(url("authorization_endpoint")).unwrap())
        .set_token_uri(TokenUrl::new(url("token_endpoint")).unwrap())
        .set_introspection_url(IntrospectionUrl::new(url("introspection_endpoint")).unwrap())
        .set_redirect_uri(RedirectUrl::new(registered.redirect_uri.clone()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("EXECUTE_GRAPH".into()))
        .add_scope(Scope::new("READ_GRAPH".into()))
        .set_pkce_challenge(challenge)
        .url();
    assert_eq!(auth_url.path(), "/auth/authorize");

    // The consent screen posts the query it was opened with, plus the decision.
    let query: HashMap<String, String> = auth_url.query_pairs().into_owned().collect();
    let mut body: Value = json!(query);
    body["decision"] = json!("approve");
    let consent = app.authorize(&body).await;
    assert_eq!(consent.status, 200, "{:?}", consent.body);
    assert_eq!(
        consent.redirect_param("state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(consent.redirect_param("iss"), Some(url("issuer")));
    let code = consent.redirect_param("code").unwrap();

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");
    assert!(tokens.access_token().secret().starts_with("agpt_xt_"));
    assert_eq!(
        tokens.expires_in(),
        Some(std::time::Duration::from_secs(3600))
    );
    let scopes: Vec<String> = tokens
        .scopes()
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(scopes, ["EXECUTE_GRAPH", "READ_GRAPH"]);

    let refreshed = client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .request_async(&http)
        .await
        .expect("refresh");
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        tokens.refresh_token().unwrap().secret()
    );

    let info = client
        .introspect(refreshed.access_token())
        .request_async(&http)
        .await
        .expect("introspect");
    assert!(info.active());
    assert_eq!(
        info.client_id().map(|c| c.as_str()),
        Some(registered.client_id.as_str())
    );

    let old = client
        .introspect(tokens.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert!(
        old.active(),
        "rotation leaves earlier access tokens valid until they expire"
    );

    // The crate refuses a revocation endpoint over plain http (its own policy), and this
    // test server has no TLS; so revocation goes out as the crate would send it, by hand.
    let r = app
        .revoke(&registered, refreshed.refresh_token().unwrap().secret())
        .await;
    assert_eq!(r.status, 200);
    let after = client
        .introspect(refreshed.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert!(
        !after.active(),
        "revoking the refresh token revoked the grant"
    );
}
