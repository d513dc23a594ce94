//! Introspection (RFC 7662) and revocation (RFC 7009): the caller (a
//! client, or a resource server by its `agpt_resource_` id) is
//! authenticated, and the token it names is found by the token's own
//! prefix (the hint is only a hint) and read with the caller in one
//! statement.

use super::client_auth::{
    authenticate_client, authenticate_resource, ClientAuthError, PresentedClient,
};
use super::clients::{self, ClientError};
use super::{fails_with, Failure};
use crate::crypto::sha256_hex;
use crate::domain::client::{Client, ClientAuthRejection};
use crate::domain::resource::Resource;
use crate::domain::token::{introspect as describe, Caller, StoredToken, TokenKind};
use crate::state::AppState;
use crate::store::{apps, grants};
use shared::{IntrospectResponse, PresentedToken};
use std::net::IpAddr;

#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    /// `invalid_request`.
    #[error("token is required.")]
    TokenRequired,
    /// RFC 7009 is for the client a token was issued to; a resource server
    /// only reads tokens (`invalid_client`).
    #[error("{}", ClientAuthRejection::NotAClient)]
    NotAClient,
    #[error(transparent)]
    ClientAuth(#[from] ClientAuthError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Failure(#[from] Failure),
}

fails_with!(TokensError);

/// Who is asking about a token.
enum Authenticated {
    Client(Client),
    Resource(Resource),
}

impl Authenticated {
    fn caller(&self) -> Caller<'_> {
        match self {
            Authenticated::Client(c) => Caller::Client(&c.oauth_app_id),
            Authenticated::Resource(r) => Caller::Resource(&r.uri),
        }
    }
}

/// RFC 7662 §2.1–2.2: an active token the caller may see (its own, or one
/// whose audience names the calling resource) gets its details; anything
/// else (unknown, expired, revoked, someone else's) is just inactive.
pub async fn introspect(
    state: &AppState,
    presented: PresentedClient,
    token: Option<PresentedToken>,
    source: IpAddr,
    now: i64,
) -> Result<IntrospectResponse, TokensError> {
    let (caller, token) = caller_and_token(state, presented, token, source, now).await?;
    Ok(describe(token.as_ref(), &caller.caller(), now))
}

/// RFC 7009 §2.1–2.2: revokes one of the caller's own tokens. Revoking a
/// refresh token revokes its whole grant, access tokens included. Unknown
/// tokens and other apps' tokens change nothing, so nothing can be probed.
pub async fn revoke(
    state: &AppState,
    presented: PresentedClient,
    token: Option<PresentedToken>,
    source: IpAddr,
    now: i64,
) -> Result<(), TokensError> {
    let (caller, token) = caller_and_token(state, presented, token, source, now).await?;
    let Authenticated::Client(caller) = caller else {
        return Err(TokensError::NotAClient);
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
    Ok(())
}

async fn caller_and_token(
    state: &AppState,
    presented: PresentedClient,
    token: Option<PresentedToken>,
    source: IpAddr,
    now: i64,
) -> Result<(Authenticated, Option<StoredToken>), TokensError> {
    let token = token.filter(|t| !t.secret().is_empty());
    // One of ours (by its prefix) is looked up; anything else is no token.
    let ours = token
        .as_ref()
        .and_then(|t| TokenKind::of(t.secret()).map(|kind| (kind, sha256_hex(t.secret()))));
    if presented.client_id.starts_with(Resource::ID_PREFIX) {
        let resource = authenticate_resource(state, presented, source, now).await?;
        if token.is_none() {
            return Err(TokensError::TokenRequired);
        }
        let stored = match ours {
            Some((kind, hash)) => grants::find_token(&state.db, kind, &hash).await?,
            None => None,
        };
        return Ok((Authenticated::Resource(resource), stored));
    }
    let id = presented.id();
    if let Some(id) = &id {
        clients::resolve(state, id, source, now).await?;
    }
    // The caller and the token are read together: one statement.
    let (found, stored) = match (&id, ours) {
        (Some(id), Some((kind, hash))) => {
            grants::find_client_and_token(&state.db, id, kind, &hash).await?
        }
        (Some(id), None) => (apps::find_client(&state.db, id).await?, None),
        (None, _) => (None, None),
    };
    let client = authenticate_client(state, presented, found, source, now).await?;
    if token.is_none() {
        return Err(TokensError::TokenRequired);
    }
    Ok((Authenticated::Client(client), stored))
}
