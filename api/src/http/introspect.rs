//! Token introspection (RFC 7662), for clients (their own tokens) and for
//! registered resource servers (tokens whose audience names them); the use
//! case is `authz::service::tokens`.

use super::caller::ClientAddr;
use super::client_auth::presented_client;
use super::extract::{Now, OAuthBody};
use super::respond::no_store;
use crate::error::ApiResult;
use crate::service::tokens;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use shared::TokenActionRequest;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/introspect", post(create_introspection))
}

/// RFC 7662 §2.1–2.2: the token's details if the caller may see it, else
/// just inactive.
async fn create_introspection(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    headers: HeaderMap,
    OAuthBody(mut req): OAuthBody<TokenActionRequest>,
) -> ApiResult<Response> {
    let presented = presented_client(&headers, &req.client_id, req.client_secret.take())?;
    let body = tokens::introspect(&state, presented, req.token, source, now).await?;
    Ok(no_store(Json(body)))
}
