//! Token revocation (RFC 7009); the use case is `authz::service::tokens`.

use super::caller::ClientAddr;
use super::client_auth::presented_client;
use super::extract::{Now, OAuthBody};
use super::respond::no_store;
use crate::error::ApiResult;
use crate::service::tokens;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use shared::TokenActionRequest;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/revoke", post(create_revocation))
}

/// RFC 7009 §2.1–2.2: revokes one of the caller's own tokens; the same 200
/// for unknown tokens and other apps' tokens.
async fn create_revocation(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    headers: HeaderMap,
    OAuthBody(mut req): OAuthBody<TokenActionRequest>,
) -> ApiResult<Response> {
    let presented = presented_client(&headers, &req.client_id, req.client_secret.take())?;
    tokens::revoke(&state, presented, req.token, source, now).await?;
    Ok(no_store(StatusCode::OK))
}
