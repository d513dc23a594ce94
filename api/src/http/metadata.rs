//! Authorization server metadata (RFC 8414).

use crate::config::RegistrationMode;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use shared::{Scope, ServerMetadata};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/oauth-authorization-server", get(get_metadata))
        .route("/.well-known/openid-configuration", get(get_metadata))
        // Discovery probes many well-known paths; a 5xx (or the consent
        // screen's HTML) would stop an MCP client, a JSON 404 lets it go on.
        .route("/.well-known/{*rest}", get(no_such_document))
}

/// RFC 8615 §3: a well-known URI we do not serve.
async fn no_such_document() -> ApiError {
    ApiError::NotFound("This server publishes no such well-known document.".into())
}

/// RFC 8414 §3 and OpenID Connect Discovery 1.0 §4: the metadata document
/// (one document at both addresses, so both say the same).
async fn get_metadata(State(state): State<AppState>) -> Json<ServerMetadata> {
    let issuer = state.issuer.to_string();
    let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let auth_methods = strings(&["client_secret_basic", "client_secret_post", "none"]);
    let pkce = if state.config.tokens.pkce_plain_enabled {
        strings(&["S256", "plain"])
    } else {
        strings(&["S256"])
    };
    Json(ServerMetadata {
        authorization_endpoint: format!("{issuer}/auth/authorize"),
        token_endpoint: format!("{issuer}/api/oauth/token"),
        introspection_endpoint: format!("{issuer}/api/oauth/introspect"),
        revocation_endpoint: format!("{issuer}/api/oauth/revoke"),
        scopes_supported: Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
        response_types_supported: strings(&["code"]),
        response_modes_supported: strings(&["query"]),
        grant_types_supported: strings(&["authorization_code", "refresh_token"]),
        code_challenge_methods_supported: pkce,
        token_endpoint_auth_methods_supported: auth_methods.clone(),
        introspection_endpoint_auth_methods_supported: auth_methods.clone(),
        revocation_endpoint_auth_methods_supported: auth_methods,
        authorization_response_iss_parameter_supported: true,
        registration_endpoint: (state.config.registration.mode == RegistrationMode::Open)
            .then(|| format!("{issuer}/api/oauth/register")),
        client_id_metadata_document_supported: state.config.cimd.cimd_enabled,
        jwks_uri: format!("{issuer}/api/oauth/jwks"),
        userinfo_endpoint: format!("{issuer}/api/oauth/userinfo"),
        end_session_endpoint: format!("{issuer}/api/oauth/logout"),
        subject_types_supported: strings(&["public"]),
        id_token_signing_alg_values_supported: strings(&["RS256", "ES256"]),
        claims_supported: strings(&[
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "azp",
            "at_hash",
            "email",
            "email_verified",
            "name",
            "preferred_username",
            "updated_at",
        ]),
        prompt_values_supported: strings(&["none", "login", "consent", "select_account"]),
        ui_locales_supported: strings(&["en", "de"]),
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        issuer,
    })
}
