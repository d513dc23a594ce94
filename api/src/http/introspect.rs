//! Token introspection (RFC 7662).

use super::client_auth::{authenticate_client, presented_client};
use super::extract::{ClientAddr, Now, OAuthBody};
use super::token::no_store;
use crate::crypto::sha256_hex;
use crate::domain::client::Client;
use crate::domain::token::{introspect, StoredToken, TokenKind};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{apps, grants};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use shared::TokenActionRequest;
use std::net::IpAddr;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/introspect", post(create_introspection))
}

/// Authenticates the calling client and finds the token it names (RFC 7662
/// §2.1, RFC 7009 §2.1), by the token's own prefix: the hint is only a hint.
pub async fn caller_and_token(
    state: &AppState,
    headers: &HeaderMap,
    mut req: TokenActionRequest,
    source: IpAddr,
    now: i64,
) -> ApiResult<(Client, Option<StoredToken>)> {
    let presented = presented_client(headers, &req.client_id, req.client_secret.take())?;
    let token = req.token.filter(|t| !t.secret().is_empty());
    let id = presented.id();
    // One of ours (by its prefix: the hint is only a hint) is read together
    // with the caller; anything else is no token, and only the caller is read.
    let ours = token
        .as_ref()
        .and_then(|t| TokenKind::of(t.secret()).map(|kind| (kind, sha256_hex(t.secret()))));
    let (found, stored) = match (&id, ours) {
        (Some(id), Some((kind, hash))) => {
            grants::find_client_and_token(&state.db, id, kind, &hash).await?
        }
        (Some(id), None) => (apps::find_client(&state.db, id).await?, None),
        (None, _) => (None, None),
    };
    let client = authenticate_client(state, presented, found, source, now).await?;
    if token.is_none() {
        return Err(ApiError::invalid_request("token is required."));
    }
    Ok((client, stored))
}

/// RFC 7662 §2.1–2.2: an active token of the caller's own gets its details;
/// anything else (unknown, expired, revoked, another app's) is just inactive.
async fn create_introspection(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    headers: HeaderMap,
    OAuthBody(req): OAuthBody<TokenActionRequest>,
) -> ApiResult<Response> {
    let (caller, token) = caller_and_token(&state, &headers, req, source, now).await?;
    let body = introspect(token.as_ref(), &caller.oauth_app_id, now);
    Ok(no_store(Json(body)))
}
