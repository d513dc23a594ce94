//! Token revocation (RFC 7009).

use super::extract::OAuthBody;
use super::introspect::callers_own_token;
use super::token::no_store;
use crate::error::ApiResult;
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
    let now = state.now();
    if let Some(info) = callers_own_token(&state, &headers, &req).await? {
        match info.kind {
            TokenKind::Access => {
                grants::revoke_access_token(&state.db, &info.token_hash, now).await?
            }
            TokenKind::Refresh => grants::revoke_grant(&state.db, &info.grant_id, now).await?,
        }
    }
    Ok(no_store(StatusCode::OK))
}
