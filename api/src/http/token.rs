//! The token endpoint (RFC 6749 §3.2): the request typed once
//! (`TokenGrant::try_from`), the credentials read, the token service called
//! (`authz::service::token`), the answer never cached.

use super::caller::ClientAddr;
use super::client_auth::presented_client;
use super::extract::{Now, OAuthBody};
use super::respond::no_store;
use crate::error::ApiResult;
use crate::service::token;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use shared::{TokenGrant, TokenRequest};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/token", post(create_token))
}

/// RFC 6749 §4.1.3 and §6 (+ RFC 8707 §2.2): exchanges a code or a refresh token for tokens.
async fn create_token(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    headers: HeaderMap,
    OAuthBody(mut req): OAuthBody<TokenRequest>,
) -> ApiResult<Response> {
    // The grant is typed first: a request that is not one costs no lookup.
    let (client_id, client_secret) = (req.client_id.take(), req.client_secret.take());
    let grant = TokenGrant::try_from(req)?;
    let presented = presented_client(&headers, &client_id, client_secret)?;
    let issued = token::issue(&state, grant, presented, source, now).await?;
    Ok(no_store(Json(issued)))
}
