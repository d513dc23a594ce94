//! Dynamic client registration (RFC 7591): a client registers itself, as
//! MCP clients do on first contact. Such clients are unverified (the
//! consent screen says so), limited per source, capped in number, and
//! deleted if nobody authorizes them within a day.

use super::extract::{ClientAddr, Now};
use super::limits;
use super::respond::no_store;
use crate::config::RegistrationMode;
use crate::crypto::{random_id, random_token, CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX};
use crate::domain::limits::Subject;
use crate::domain::oidc::SigningAlg;
use crate::domain::registration::{check_metadata, AuthMethod, ClientMetadata};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::apps::{self, NewClient};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use shared::{ClientId, ClientSecret, ErrorCode, Registration};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/register", post(create_registration))
}

/// RFC 7591 §3.2.1: what was registered, with the client's credentials.
#[derive(Serialize)]
struct Registered {
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

fn invalid_metadata(description: String) -> ApiError {
    ApiError::BadRequest(ErrorCode::InvalidClientMetadata, description.into())
}

/// RFC 7591 §3.1–§3.2: registers a client from its metadata.
async fn create_registration(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    if state.config.registration == RegistrationMode::Off {
        return Err(ApiError::NotFound(
            "Dynamic client registration is off on this server; ask its operator to register your client."
                .into(),
        ));
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json {
        return Err(invalid_metadata(
            "Send the client metadata as JSON (Content-Type: application/json).".into(),
        ));
    }
    let subject = [Subject::RegistrationSource(source)];
    limits::check(&state, &subject, now).await?;
    limits::record(&state, &subject, now).await?;

    let meta: ClientMetadata = serde_json::from_slice(&body).map_err(|e| {
        invalid_metadata(format!(
            "The client metadata is not valid JSON of the right shape ({e})."
        ))
    })?;
    let accepted = check_metadata(&meta, false).map_err(|r| ApiError::rejected(&r))?;
    if apps::count_dynamic(&state.db).await? >= state.config.max_dynamic_clients {
        tracing::warn!(
            event = "registration_full",
            "self-registration is at its cap"
        );
        return Err(ApiError::Unavailable { retry_after: 3600 });
    }

    let secret = match accepted.auth_method {
        AuthMethod::None => None,
        AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => {
            Some(ClientSecret::new(random_token(CLIENT_SECRET_PREFIX)))
        }
    };
    let hashed = match &secret {
        Some(s) => Some(state.hasher.hash(s.secret().to_owned()).await?),
        None => None,
    };
    let grant_types = accepted.grant_types.clone();
    let client_id = ClientId::parse(&random_token(CLIENT_ID_PREFIX))
        .ok_or_else(|| ApiError::Internal("a generated client id is invalid".into()))?;
    let name = accepted.name.unwrap_or_else(|| {
        accepted
            .redirect_uris
            .first()
            .map_or("Unnamed app", |u| u.display_host())
            .to_owned()
    });
    let app = NewClient {
        oauth_app_id: random_id(),
        client_id: client_id.clone(),
        secret: hashed,
        name: name.clone(),
        description: String::new(),
        logo_url: accepted.logo_uri.clone(),
        redirect_uris: accepted.redirect_uris.clone(),
        allowed_scopes: accepted.scopes.clone(),
        grant_types: grant_types.clone(),
        owner_id: None,
        registration: Registration::Dynamic,
        client_uri: accepted.client_uri.clone(),
        policy_uri: accepted.policy_uri.clone(),
        tos_uri: accepted.tos_uri.clone(),
        application_type: Some(accepted.application_type),
        metadata_expires_at: None,
        post_logout_redirect_uris: accepted.post_logout_redirect_uris.clone(),
        id_token_alg: accepted.id_token_alg,
    };
    apps::insert_client(&state.db, &app, now).await?;
    tracing::info!(event = "client_registered", client_id = %client_id, source = %source, "a client registered itself");
    let body = Registered {
        client_id: client_id.to_string(),
        client_secret_expires_at: secret.as_ref().map(|_| 0),
        client_secret: secret,
        client_id_issued_at: now,
        client_name: name,
        redirect_uris: accepted
            .redirect_uris
            .iter()
            .map(|u| u.to_string())
            .collect(),
        grant_types: grant_types.iter().map(|g| g.as_str()).collect(),
        response_types: ["code"],
        token_endpoint_auth_method: accepted.auth_method.as_str(),
        application_type: accepted.application_type.as_str(),
        scope: accepted.scopes.to_space_separated(),
        logo_uri: accepted.logo_uri,
        client_uri: accepted.client_uri,
        policy_uri: accepted.policy_uri,
        tos_uri: accepted.tos_uri,
        post_logout_redirect_uris: accepted
            .post_logout_redirect_uris
            .iter()
            .map(|u| u.to_string())
            .collect(),
        id_token_signed_response_alg: accepted.id_token_alg.unwrap_or(SigningAlg::Rs256).as_str(),
    };
    let mut response = no_store(Json(body));
    *response.status_mut() = StatusCode::CREATED;
    Ok(response.into_response())
}
