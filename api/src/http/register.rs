//! Dynamic client registration (RFC 7591): a client registers itself, as
//! MCP clients do on first contact. Such clients are unverified (the
//! consent screen says so), limited per source, capped in number, and
//! deleted if nobody authorizes them within a day.

use super::caller::ClientAddr;
use super::extract::Now;
use super::respond::no_store;
use crate::config::RegistrationMode;
use crate::domain::oidc::SigningAlg;
use crate::error::{ApiError, ApiResult};
use crate::service::clients::{self, Registered};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use shared::{ClientSecret, ErrorCode};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/register", post(create_registration))
}

/// RFC 7591 §3.2.1: what was registered, with the client's credentials.
#[derive(Serialize)]
struct Registered201 {
    client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<ClientSecret>,
    client_id_issued_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_expires_at: Option<i64>,
    client_name: String,
    redirect_uris: Vec<String>,
    grant_types: Vec<&'static str>,
    response_types: [&'static str; 1],
    token_endpoint_auth_method: &'static str,
    application_type: &'static str,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    logo_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tos_uri: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    post_logout_redirect_uris: Vec<String>,
    id_token_signed_response_alg: &'static str,
}

/// RFC 7591 §3.1–§3.2: registers a client from its metadata.
async fn create_registration(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json && state.config.registration.mode != RegistrationMode::Off {
        return Err(ApiError::BadRequest(
            ErrorCode::InvalidClientMetadata,
            "Send the client metadata as JSON (Content-Type: application/json).".into(),
        ));
    }
    let Registered {
        client,
        secret,
        auth_method,
    } = clients::register(&state, &body, source, now).await?;
    let body = Registered201 {
        client_id: client.client_id.to_string(),
        client_secret_expires_at: secret.as_ref().map(|_| 0),
        client_secret: secret,
        client_id_issued_at: now,
        client_name: client.name,
        redirect_uris: client.redirect_uris.iter().map(|u| u.to_string()).collect(),
        grant_types: client.grant_types.iter().map(|g| g.as_str()).collect(),
        response_types: ["code"],
        token_endpoint_auth_method: auth_method.as_str(),
        application_type: client.application_type.map_or("web", |t| t.as_str()),
        scope: client.allowed_scopes.to_space_separated(),
        logo_uri: client.logo_url,
        client_uri: client.client_uri,
        policy_uri: client.policy_uri,
        tos_uri: client.tos_uri,
        post_logout_redirect_uris: client
            .post_logout_redirect_uris
            .iter()
            .map(|u| u.to_string())
            .collect(),
        id_token_signed_response_alg: client.id_token_alg.unwrap_or(SigningAlg::Rs256).as_str(),
    };
    let mut response = no_store(Json(body));
    *response.status_mut() = StatusCode::CREATED;
    Ok(response.into_response())
}
