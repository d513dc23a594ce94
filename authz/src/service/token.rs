//! The token endpoint's use cases (RFC 6749 §3.2): the authorization_code
//! and refresh_token grants. The request arrives typed (`TokenGrant`), the
//! client is authenticated, the domain decides, and only then does the
//! store claim the code or refresh token and issue the new pair in one
//! transaction. A new grant is a variant of `TokenGrant`, a rule in
//! `domain/` and a function here.

use super::client_auth::{authenticate_client, ClientAuthError, PresentedClient};
use super::clients::{self, ClientError};
use super::{fails_with, Failure};
use crate::crypto::{random_token, sha256_hex, ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX};
use crate::domain::client::{Client, GrantType};
use crate::domain::code::{check_code, CodeRejection, Presented, StoredCode};
use crate::domain::oidc::{id_token_claims, IdTokenInput};
use crate::domain::refresh::{check_refresh, RefreshRejection, StoredRefresh};
use crate::domain::resource::{narrow_audience, TargetRejection};
use crate::state::AppState;
use crate::store::grants::{self, NewTokens};
use crate::store::users;
use shared::{
    AccessToken, RefreshToken, ResourceUri, Scope, ScopeSet, TokenGrant, TokenResponse, TokenType,
};
use std::net::IpAddr;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    Code(CodeRejection),
    #[error("{0}")]
    Refresh(RefreshRejection),
    #[error("{0}")]
    Target(TargetRejection),
    /// RFC 6749 §5.2 `unauthorized_client`: the client's registration decides.
    #[error("This client may not use the {} grant.", .0.as_str())]
    Unauthorized(GrantType),
    #[error(transparent)]
    ClientAuth(#[from] ClientAuthError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Failure(#[from] Failure),
}

fails_with!(TokenError);

// The rules' refusals (plain enums, not `Error`s: no source to chain).
impl From<CodeRejection> for TokenError {
    fn from(r: CodeRejection) -> Self {
        TokenError::Code(r)
    }
}

impl From<RefreshRejection> for TokenError {
    fn from(r: RefreshRejection) -> Self {
        TokenError::Refresh(r)
    }
}

impl From<TargetRejection> for TokenError {
    fn from(r: TargetRejection) -> Self {
        TokenError::Target(r)
    }
}

/// RFC 6749 §4.1.3 and §6 (+ RFC 8707 §2.2): tokens for a code or a refresh
/// token. The grant is read first (with the client, in one statement), so a
/// request that is not one costs no other lookup.
pub async fn issue(
    state: &AppState,
    grant: TokenGrant,
    presented: PresentedClient,
    source: IpAddr,
    now: i64,
) -> Result<TokenResponse, TokenError> {
    let id = presented.id();
    if let Some(id) = &id {
        clients::resolve(state, id, source, now).await?;
    }
    match grant {
        TokenGrant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
            resources,
        } => {
            let code_hash = sha256_hex(code.secret());
            let (found, stored) = match &id {
                Some(id) => grants::find_client_and_code(&state.db, id, &code_hash).await?,
                None => (None, None),
            };
            let client = authenticate_client(state, presented, found, source, now).await?;
            allowed(&client, GrantType::AuthorizationCode)?;
            let presented = Presented {
                oauth_app_id: &client.oauth_app_id,
                redirect_uri: &redirect_uri,
                verifier: &code_verifier,
                plain_pkce_allowed: state.config.tokens.pkce_plain_enabled,
            };
            exchange_code(
                state, &client, code_hash, stored, &presented, &resources, now,
            )
            .await
        }
        TokenGrant::RefreshToken {
            refresh_token,
            scope,
            resources,
        } => {
            let token_hash = sha256_hex(refresh_token.secret());
            let (found, stored) = match &id {
                Some(id) => grants::find_client_and_refresh(&state.db, id, &token_hash).await?,
                None => (None, None),
            };
            let client = authenticate_client(state, presented, found, source, now).await?;
            allowed(&client, GrantType::RefreshToken)?;
            let asked = Asked {
                scopes: scope.as_ref(),
                resources: &resources,
            };
            refresh(state, &client, token_hash, stored, asked, now).await
        }
    }
}

fn allowed(client: &Client, grant_type: GrantType) -> Result<(), TokenError> {
    if client.allows(grant_type) {
        Ok(())
    } else {
        Err(TokenError::Unauthorized(grant_type))
    }
}

/// What a token carries: its scopes and its audience.
type Grants<'a> = (&'a ScopeSet, &'a [ResourceUri]);

/// Whom and what an ID Token is about.
struct About<'a> {
    user_id: &'a str,
    scopes: &'a ScopeSet,
    auth_time: i64,
    nonce: Option<String>,
}

/// What a refresh request asks to narrow to.
struct Asked<'a> {
    scopes: Option<&'a ScopeSet>,
    resources: &'a [ResourceUri],
}

/// A fresh access + refresh token pair, and their hashes for storage.
struct Minted {
    access: AccessToken,
    refresh: RefreshToken,
    access_hash: String,
    refresh_hash: String,
}

impl Minted {
    fn new() -> Self {
        let access = AccessToken::new(random_token(ACCESS_TOKEN_PREFIX));
        let refresh = RefreshToken::new(random_token(REFRESH_TOKEN_PREFIX));
        Minted {
            access_hash: sha256_hex(access.secret()),
            refresh_hash: sha256_hex(refresh.secret()),
            access,
            refresh,
        }
    }

    fn rows(
        &self,
        state: &AppState,
        grant_id: &str,
        access: Grants,
        refresh: Grants,
        now: i64,
    ) -> NewTokens {
        NewTokens {
            grant_id: grant_id.to_owned(),
            access_hash: self.access_hash.clone(),
            access_scopes: access.0.clone(),
            access_audience: access.1.to_vec(),
            access_expires_at: now + state.config.tokens.access_token_ttl,
            refresh_hash: self.refresh_hash.clone(),
            refresh_scopes: refresh.0.clone(),
            refresh_audience: refresh.1.to_vec(),
            refresh_expires_at: now + state.config.tokens.refresh_token_ttl,
            now,
        }
    }

    fn response(
        self,
        state: &AppState,
        scopes: &ScopeSet,
        id_token: Option<String>,
    ) -> TokenResponse {
        TokenResponse {
            access_token: self.access,
            token_type: TokenType::Bearer,
            expires_in: state.config.tokens.access_token_ttl,
            refresh_token: self.refresh,
            scope: scopes.to_space_separated(),
            id_token,
        }
    }

    /// OpenID Connect Core §3.1.3.3 and §12.2: an ID Token, when `openid`
    /// was granted, about the grant's person, for this access token.
    async fn id_token(
        &self,
        state: &AppState,
        client: &Client,
        about: About<'_>,
        now: i64,
    ) -> Result<Option<String>, TokenError> {
        let About {
            user_id,
            scopes,
            auth_time,
            nonce,
        } = about;
        if !scopes.contains(Scope::OpenId) {
            return Ok(None);
        }
        let person = users::find_person(&state.db, user_id)
            .await?
            .ok_or_else(|| Failure::Internal("a grant's user is gone".into()))?;
        let Some(claims) = id_token_claims(IdTokenInput {
            issuer: &state.issuer,
            client_id: client.client_id.as_str(),
            person: &person,
            scopes,
            auth_time,
            nonce,
            access_token: self.access.secret(),
            now,
            lifetime: state.config.tokens.id_token_ttl,
        }) else {
            return Ok(None);
        };
        let token = state
            .keys
            .sign(&state.db, client.id_token_alg, &claims, now)
            .await?;
        Ok(Some(token))
    }
}

/// RFC 6749 §4.1.3 + RFC 7636 §4.6: single use, bound to client, redirect_uri and verifier.
async fn exchange_code(
    state: &AppState,
    client: &Client,
    code_hash: String,
    stored: Option<StoredCode>,
    presented: &Presented<'_>,
    resources: &[ResourceUri],
    now: i64,
) -> Result<TokenResponse, TokenError> {
    let stored = match check_code(stored.as_ref(), presented, now) {
        Ok(code) => code,
        Err(r) => {
            let grant = stored.as_ref().filter(|_| r.revokes_grant());
            let end = grant.map(|c| (c.grant_id.as_str(), "code_replayed"));
            return Err(refuse(state, client, r, end, now).await);
        }
    };
    // The code stays unspent: the client may try again with what it was granted.
    let audience = narrow_audience(&stored.resources, resources)?;
    let minted = Minted::new();
    let id_token = minted
        .id_token(
            state,
            client,
            About {
                user_id: &stored.user_id,
                scopes: &stored.scopes,
                auth_time: stored.auth_time,
                nonce: stored.nonce.clone(),
            },
            now,
        )
        .await?;
    let rows = minted.rows(
        state,
        &stored.grant_id,
        (&stored.scopes, &audience),
        (&stored.scopes, &stored.resources),
        now,
    );
    if !grants::redeem_code(&state.db, code_hash, rows).await? {
        // Another request redeemed it between our read and our claim: this
        // one is a replay like any other.
        let r = CodeRejection::Replayed;
        let end = Some((stored.grant_id.as_str(), "code_replayed"));
        return Err(refuse(state, client, r, end, now).await);
    }
    Ok(minted.response(state, &stored.scopes, id_token))
}

/// RFC 6749 §6 + RFC 9700 §4.14.2: refresh with rotation and reuse detection.
async fn refresh(
    state: &AppState,
    client: &Client,
    token_hash: String,
    stored: Option<StoredRefresh>,
    asked: Asked<'_>,
    now: i64,
) -> Result<TokenResponse, TokenError> {
    let (stored, access_scopes) =
        match check_refresh(stored.as_ref(), &client.oauth_app_id, asked.scopes, now) {
            Ok(checked) => checked,
            Err(r) => {
                let grant = stored.as_ref().filter(|_| r.revokes_grant());
                let end = grant.map(|t| (t.grant_id.as_str(), "refresh_token_reused"));
                return Err(refuse(state, client, r, end, now).await);
            }
        };
    let audience = narrow_audience(&stored.resources, asked.resources)?;
    let minted = Minted::new();
    // A refreshed ID Token: same person and auth_time, no nonce (§12.2).
    let id_token = minted
        .id_token(
            state,
            client,
            About {
                user_id: &stored.user_id,
                scopes: &access_scopes,
                auth_time: stored.auth_time,
                nonce: None,
            },
            now,
        )
        .await?;
    let rows = minted.rows(
        state,
        &stored.grant_id,
        (&access_scopes, &audience),
        (&stored.scopes, &stored.resources),
        now,
    );
    if !grants::rotate_refresh(&state.db, token_hash, rows).await? {
        let r = RefreshRejection::Reused;
        let end = Some((stored.grant_id.as_str(), "refresh_token_reused"));
        return Err(refuse(state, client, r, end, now).await);
    }
    Ok(minted.response(state, &access_scopes, id_token))
}

/// The answer to a refused code or refresh token; first ends `end_grant`
/// (a replayed code, a reused refresh token: RFC 9700 §4.5, §4.14.2), logged
/// as the security `event` it is.
async fn refuse(
    state: &AppState,
    client: &Client,
    rejection: impl Into<TokenError>,
    end_grant: Option<(&str, &'static str)>,
    now: i64,
) -> TokenError {
    if let Some((grant_id, event)) = end_grant {
        tracing::warn!(event, client_id = %client.client_id, grant_id, "a spent credential came back");
        tracing::warn!(event = "grant_revoked", reason = event, client_id = %client.client_id, grant_id, "every code and token of the grant is revoked");
        if let Err(e) = grants::revoke_grant(&state.db, grant_id, now).await {
            return e.into();
        }
    }
    rejection.into()
}
