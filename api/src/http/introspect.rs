//! Token introspection (RFC 7662), for clients (their own tokens) and for
//! registered resource servers (tokens whose audience names them).

use super::client_auth::presented_client;
use super::extract::{ClientAddr, Now, OAuthBody};
use super::respond::no_store;
use crate::crypto::sha256_hex;
use crate::domain::client::Client;
use crate::domain::resource::Resource;
use crate::domain::token::{introspect, Caller, StoredToken, TokenKind};
use crate::error::{ApiError, ApiResult};
use crate::service::client_auth::{authenticate_client, authenticate_resource};
use crate::service::clients;
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

/// Who is asking about a token.
pub enum Authenticated {
    Client(Client),
    Resource(Resource),
}

impl Authenticated {
    pub fn caller(&self) -> Caller<'_> {
        match self {
            Authenticated::Client(c) => Caller::Client(&c.oauth_app_id),
            Authenticated::Resource(r) => Caller::Resource(&r.uri),
        }
    }
}

/// Authenticates the caller (a client, or a resource server by its
/// `agpt_resource_` id) and finds the token it names (RFC 7662 §2.1,
/// RFC 7009 §2.1), by the token's own prefix: the hint is only a hint.
pub async fn caller_and_token(
    state: &AppState,
    headers: &HeaderMap,
    mut req: TokenActionRequest,
    source: IpAddr,
    now: i64,
) -> ApiResult<(Authenticated, Option<StoredToken>)> {
    let presented = presented_client(headers, &req.client_id, req.client_secret.take())?;
    let token = req.token.filter(|t| !t.secret().is_empty());
    // One of ours (by its prefix) is looked up; anything else is no token.
    let ours = token
        .as_ref()
        .and_then(|t| TokenKind::of(t.secret()).map(|kind| (kind, sha256_hex(t.secret()))));
    if presented.client_id.starts_with(Resource::ID_PREFIX) {
        let resource = authenticate_resource(state, presented, source, now).await?;
        if token.is_none() {
            return Err(ApiError::invalid_request("token is required."));
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
        return Err(ApiError::invalid_request("token is required."));
    }
    Ok((Authenticated::Client(client), stored))
}

/// RFC 7662 §2.1–2.2: an active token the caller may see (its own, or one
/// whose audience names the calling resource) gets its details; anything
/// else (unknown, expired, revoked, someone else's) is just inactive.
async fn create_introspection(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    headers: HeaderMap,
    OAuthBody(req): OAuthBody<TokenActionRequest>,
) -> ApiResult<Response> {
    let (caller, token) = caller_and_token(&state, &headers, req, source, now).await?;
    let body = introspect(token.as_ref(), &caller.caller(), now);
    Ok(no_store(Json(body)))
}
