//! OpenID Connect Core §5.3 UserInfo: the claims an access token's scopes
//! release about the person it was issued for.

use super::{fails_with, Failure};
use crate::crypto::sha256_hex;
use crate::domain::oidc::{scoped_claims, UserInfo};
use crate::domain::token::TokenKind;
use crate::state::AppState;
use crate::store::{grants, users};
use shared::Scope;

#[derive(Debug, thiserror::Error)]
pub enum UserInfoError {
    /// RFC 6750 §3.1 `invalid_token` (401).
    #[error("The access token is not valid (unknown, expired or revoked).")]
    InvalidToken,
    /// RFC 6750 §3.1 `insufficient_scope` (403).
    #[error("UserInfo needs an access token with the openid scope.")]
    NeedsOpenId,
    #[error(transparent)]
    Failure(#[from] Failure),
}

fails_with!(UserInfoError);

/// The person's claims, for an active access token of ours (no audience,
/// or the issuer as audience) that carries `openid`.
pub async fn claims(state: &AppState, token: &str, now: i64) -> Result<UserInfo, UserInfoError> {
    if TokenKind::of(token) != Some(TokenKind::Access) {
        return Err(UserInfoError::InvalidToken);
    }
    let stored = grants::find_token(&state.db, TokenKind::Access, &sha256_hex(token))
        .await?
        .filter(|t| t.is_active(now) && t.is_for_us(&state.issuer))
        .ok_or(UserInfoError::InvalidToken)?;
    if !stored.scopes.contains(Scope::OpenId) {
        return Err(UserInfoError::NeedsOpenId);
    }
    let person = users::find_person(&state.db, &stored.user_id)
        .await?
        .ok_or(UserInfoError::InvalidToken)?;
    Ok(UserInfo {
        sub: person.user_id.clone(),
        claims: scoped_claims(&person, &stored.scopes),
    })
}
