//! Token revocation (RFC 7009).

use super::extract::{ClientAddr, Now, OAuthBody};
use super::introspect::{caller_and_token, Authenticated};
use super::respond::no_store;
use crate::domain::client::ClientAuthRejection;
use crate::domain::token::{Caller, TokenKind};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::grants;
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
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    headers: HeaderMap,
    OAuthBody(req): OAuthBody<TokenActionRequest>,
) -> ApiResult<Response> {
    let (caller, token) = caller_and_token(&state, &headers, req, source, now).await?;
    // RFC 7009 is for the client a token was issued to; a resource server
    // only reads tokens.
    let Authenticated::Client(caller) = caller else {
        return Err(ApiError::InvalidClient {
            challenge: false,
            description: ClientAuthRejection::NotAClient.to_string().into(),
        });
    };
    if let Some(t) = token.filter(|t| t.visible_to(&Caller::Client(&caller.oauth_app_id))) {
        match t.kind {
            TokenKind::Access => grants::revoke_access_token(&state.db, &t.token_hash, now).await?,
            TokenKind::Refresh => {
                tracing::info!(event = "grant_revoked", reason = "revocation_request", client_id = %caller.client_id, grant_id = %t.grant_id, "a refresh token was revoked; its grant ends");
                grants::revoke_grant(&state.db, &t.grant_id, now).await?
            }
        }
    }
    Ok(no_store(StatusCode::OK))
}
