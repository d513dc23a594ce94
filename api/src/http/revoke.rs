//! Token revocation (RFC 7009).

use super::client_auth::{authenticate_client, presented_client};
use super::extract::{non_empty, OAuthBody};
use super::introspect::find_token;
use super::token::no_store;
use crate::crypto::sha256_hex;
use crate::error::{ApiError, ApiResult};
use crate::store::grants::{self, TokenKind};
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use shared::TokenActionRequest;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/revoke", post(create_revocation))
}

/// RFC 7009 §2.1–2.2: revokes one of the caller's own tokens. Revoking a
/// refresh token revokes its whole grant, access tokens included. Unknown
/// tokens and other apps' tokens get the same 200, so nothing can be probed.
async fn create_revocation(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthBody(req): OAuthBody<TokenActionRequest>,
) -> ApiResult<Response> {
    let app = authenticate_client(
        &state,
        presented_client(&headers, &req.client_id, &req.client_secret)?,
    )
    .await?;
    let now = state.now();
    let token =
        non_empty(&req.token).ok_or_else(|| ApiError::invalid_request("token is required."))?;
    if let Some(info) = find_token(&state, Some(token))
        .await?
        .filter(|t| t.oauth_app_id == app.oauth_app_id)
    {
        match info.kind {
            TokenKind::Access => {
                grants::revoke_access_token(&state.db, &sha256_hex(token), now).await?
            }
            TokenKind::Refresh => grants::revoke_grant(&state.db, &info.grant_id, now).await?,
        }
    }
    Ok(no_store(StatusCode::OK))
}
