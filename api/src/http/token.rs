//! The token endpoint (RFC 6749 §3.2): authorization_code and refresh_token grants.

use super::client_auth::{authenticate_client, presented_client};
use super::extract::{non_empty, OAuthBody};
use crate::crypto::{random_token, sha256_hex, ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX};
use crate::domain::pkce::s256_challenge;
use crate::error::{ApiError, ApiResult};
use crate::store::apps::AppRow;
use crate::store::grants::{self, CodeRedemption, NewTokens, Redeemed, Refreshed};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use shared::{is_pkce_syntax, ErrorCode, RedirectUri, ScopeSet, TokenRequest, TokenResponse};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/token", post(create_token))
}

/// RFC 6749 §4.1.3 and §6: exchanges a code or a refresh token for tokens.
async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthBody(req): OAuthBody<TokenRequest>,
) -> ApiResult<Response> {
    let grant_type = non_empty(&req.grant_type)
        .ok_or_else(|| ApiError::invalid_request("grant_type is required."))?;
    if !matches!(grant_type, "authorization_code" | "refresh_token") {
        return Err(ApiError::BadRequest(
            ErrorCode::UnsupportedGrantType,
            "Supported grant types: authorization_code, refresh_token.".into(),
        ));
    }
    let app = authenticate_client(
        &state,
        presented_client(&headers, &req.client_id, &req.client_secret)?,
    )
    .await?;
    if !app.allows_grant_type(grant_type) {
        return Err(ApiError::BadRequest(
            ErrorCode::UnauthorizedClient,
            format!("This client may not use the {grant_type} grant."),
        ));
    }
    let issued = if grant_type == "authorization_code" {
        exchange_code(&state, &app, &req).await?
    } else {
        refresh(&state, &app, &req).await?
    };
    Ok(no_store(Json(issued)))
}

/// Fresh tokens, hashed for storage, with their lifetimes from `now`.
struct Minted {
    access: String,
    refresh: String,
    access_hash: String,
    refresh_hash: String,
}

impl Minted {
    fn new() -> Self {
        let access = random_token(ACCESS_TOKEN_PREFIX);
        let refresh = random_token(REFRESH_TOKEN_PREFIX);
        Minted {
            access_hash: sha256_hex(&access),
            refresh_hash: sha256_hex(&refresh),
            access,
            refresh,
        }
    }

    fn rows(&self, state: &AppState, now: i64) -> NewTokens<'_> {
        NewTokens {
            access_hash: &self.access_hash,
            access_expires_at: now + state.config.access_token_ttl,
            refresh_hash: &self.refresh_hash,
            refresh_expires_at: now + state.config.refresh_token_ttl,
            now,
        }
    }

    fn response(self, state: &AppState, scopes: String) -> TokenResponse {
        TokenResponse {
            access_token: self.access,
            token_type: "Bearer".into(),
            expires_in: state.config.access_token_ttl,
            refresh_token: self.refresh,
            scope: scopes,
        }
    }
}

/// RFC 6749 §4.1.3 + RFC 7636 §4.6: single use, bound to client, redirect_uri and verifier.
async fn exchange_code(
    state: &AppState,
    app: &AppRow,
    req: &TokenRequest,
) -> ApiResult<TokenResponse> {
    let code =
        non_empty(&req.code).ok_or_else(|| ApiError::invalid_request("code is required."))?;
    let redirect_uri = non_empty(&req.redirect_uri)
        .ok_or_else(|| ApiError::invalid_request("redirect_uri is required."))?;
    if RedirectUri::parse(redirect_uri).is_none() {
        return Err(ApiError::invalid_grant(
            "redirect_uri does not match the one of the authorization request.",
        ));
    }
    let verifier = non_empty(&req.code_verifier)
        .ok_or_else(|| ApiError::invalid_request("code_verifier is required (PKCE, RFC 7636)."))?;
    if !is_pkce_syntax(verifier) {
        return Err(ApiError::invalid_grant(
            "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1).",
        ));
    }
    let now = state.now();
    let minted = Minted::new();
    let redemption = CodeRedemption {
        code_hash: &sha256_hex(code),
        oauth_app_id: &app.oauth_app_id,
        redirect_uri,
        verifier_s256: &s256_challenge(verifier),
        verifier_plain: state.config.pkce_plain_enabled.then_some(verifier),
    };
    match grants::redeem_code(&state.db, &redemption, &minted.rows(state, now)).await? {
        Redeemed::Issued { scopes, .. } => Ok(minted.response(state, scopes)),
        Redeemed::Replayed => {
            tracing::warn!(client_id = %app.client_id, "authorization code replayed; its grant is revoked");
            Err(ApiError::invalid_grant(
                "The authorization code has already been used; tokens issued from it are revoked.",
            ))
        }
        Redeemed::Invalid(why) => Err(ApiError::invalid_grant(why)),
    }
}

/// RFC 6749 §6 + RFC 9700 §4.14.2: refresh with rotation and reuse detection.
async fn refresh(state: &AppState, app: &AppRow, req: &TokenRequest) -> ApiResult<TokenResponse> {
    let token = non_empty(&req.refresh_token)
        .ok_or_else(|| ApiError::invalid_request("refresh_token is required."))?;
    let requested = match non_empty(&req.scope) {
        None => None,
        Some(s) => Some(ScopeSet::parse(s).map_err(|e| ApiError::invalid_scope(e.to_string()))?),
    };
    let narrow = |granted: &str| -> Result<String, &'static str> {
        match &requested {
            None => Ok(granted.to_owned()),
            Some(requested) => {
                let granted = ScopeSet::parse(granted).unwrap_or_default();
                if requested.is_subset_of(&granted) && !requested.is_empty() {
                    Ok(requested.to_space_separated())
                } else {
                    Err("The requested scope exceeds the scope originally granted.")
                }
            }
        }
    };
    let now = state.now();
    let minted = Minted::new();
    let outcome = grants::rotate_refresh_token(
        &state.db,
        &sha256_hex(token),
        &app.oauth_app_id,
        narrow,
        &minted.rows(state, now),
    )
    .await?;
    match outcome {
        Refreshed::Issued { scopes, .. } => Ok(minted.response(state, scopes)),
        Refreshed::Reused => {
            tracing::warn!(client_id = %app.client_id, "rotated-out refresh token reused; its grant is revoked");
            Err(ApiError::invalid_grant(
                "The refresh token has already been used; every token of this grant is now revoked.",
            ))
        }
        Refreshed::Invalid(why) if why.starts_with("The requested scope") => {
            Err(ApiError::invalid_scope(why))
        }
        Refreshed::Invalid(why) => Err(ApiError::invalid_grant(why)),
    }
}

/// RFC 6749 §5.1: token responses must not be cached.
pub fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
