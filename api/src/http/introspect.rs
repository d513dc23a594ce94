//! Token introspection (RFC 7662).

use super::client_auth::{authenticate_client, presented_client};
use super::extract::{non_empty, OAuthBody};
use super::token::no_store;
use crate::crypto::{sha256_hex, ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX};
use crate::error::{ApiError, ApiResult};
use crate::store::grants::{self, TokenInfo, TokenKind};
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use shared::{IntrospectResponse, TokenActionRequest};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/introspect", post(create_introspection))
}

/// The kind a token's prefix says it is; anything else is no token of ours.
pub fn token_kind(token: &str) -> Option<TokenKind> {
    if token.starts_with(ACCESS_TOKEN_PREFIX) {
        Some(TokenKind::Access)
    } else if token.starts_with(REFRESH_TOKEN_PREFIX) {
        Some(TokenKind::Refresh)
    } else {
        None
    }
}

/// Authenticates the calling client and finds the token it names (RFC 7662
/// §2.1, RFC 7009 §2.1), by the token's own prefix: the hint is only a hint.
/// Another client's token is treated as unknown, so nothing can be probed.
pub async fn callers_own_token(
    state: &AppState,
    headers: &HeaderMap,
    req: &TokenActionRequest,
) -> ApiResult<Option<TokenInfo>> {
    let app = authenticate_client(
        state,
        presented_client(headers, &req.client_id, &req.client_secret)?,
    )
    .await?;
    let token =
        non_empty(&req.token).ok_or_else(|| ApiError::invalid_request("token is required."))?;
    // Bound the input: nothing this long is a token of ours.
    let Some(kind) = token_kind(token).filter(|_| token.len() <= 256) else {
        return Ok(None);
    };
    let info = grants::find_token(&state.db, kind, &sha256_hex(token)).await?;
    Ok(info.filter(|t| t.oauth_app_id == app.oauth_app_id))
}

/// RFC 7662 §2.1–2.2: an active token of the caller's own gets its details;
/// anything else (unknown, expired, revoked, another app's) is just inactive.
async fn create_introspection(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthBody(req): OAuthBody<TokenActionRequest>,
) -> ApiResult<Response> {
    let now = state.now();
    let info = callers_own_token(&state, &headers, &req).await?;
    let body = match info {
        Some(t) if t.is_active(now) => IntrospectResponse {
            active: true,
            scope: Some(t.scopes),
            client_id: Some(t.client_id),
            sub: Some(t.user_id),
            exp: Some(t.expires_at),
            iat: Some(t.created_at),
            token_type: Some(t.kind.as_str().to_owned()),
        },
        _ => IntrospectResponse::default(),
    };
    Ok(no_store(Json(body)))
}
