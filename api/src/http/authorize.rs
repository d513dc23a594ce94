//! The consent decision: turns an approved (or denied) authorization request
//! into the URL the browser goes to next (RFC 6749 §4.1.1–§4.1.2.1).
//!
//! Nothing here redirects before the client and the exact redirect_uri are
//! verified; every problem after that is reported to the app through its
//! registered URI, except the ones the consent screen must show itself.

use super::extract::{non_empty, ApiJson, CurrentUser};
use crate::crypto::{random_id, random_token, sha256_hex, CODE_PREFIX};
use crate::domain::redirect::redirect_url;
use crate::error::{ApiError, ApiResult};
use crate::store::apps::{self, AppRow};
use crate::store::grants::{self, NewAuthorization};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::post;
use axum::{Json, Router};
use shared::{
    AuthorizeRequest, AuthorizeResponse, CodeChallenge, CodeChallengeMethod, Decision, ErrorCode,
    ScopeSet,
};

/// The longest `state` we echo; more is not a CSRF token but an abuse of our URL.
const MAX_STATE_LEN: usize = 2048;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/authorize", post(create_authorization))
}

/// Refuses requests a browser marks as coming from another site, so a
/// cross-site page cannot approve anything with the person's cookie. A
/// cross-site form cannot send JSON without a CORS preflight we never grant;
/// this check also covers same-site subdomains and future browser quirks.
fn check_same_origin(headers: &HeaderMap, state: &AppState) -> ApiResult<()> {
    let refused = || ApiError::Forbidden("Cross-origin requests are not accepted here.".into());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return if site == "same-origin" {
            Ok(())
        } else {
            Err(refused())
        };
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin = origin.trim_end_matches('/');
        let allowed = origin == state.config.issuer()
            || state
                .config
                .allowed_origins
                .iter()
                .any(|o| o.trim_end_matches('/') == origin);
        return if allowed { Ok(()) } else { Err(refused()) };
    }
    // No browser fetch metadata at all: not a browser, so no ambient cookie to abuse.
    Ok(())
}

/// RFC 6749 §4.1.1 / §4.1.2 (+ RFC 7636 §4.4, RFC 9207 §2): records the person's decision.
async fn create_authorization(
    State(state): State<AppState>,
    headers: HeaderMap,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<AuthorizeRequest>,
) -> ApiResult<Json<AuthorizeResponse>> {
    check_same_origin(&headers, &state)?;

    // 1. The client and the exact redirect URI: until both are verified, errors are shown, never redirected.
    let client_id = non_empty(&req.client_id)
        .ok_or_else(|| ApiError::invalid_request("client_id is required."))?;
    let app = apps::find_active_app(&state.db, client_id)
        .await?
        .ok_or_else(|| {
            ApiError::BadRequest(
                ErrorCode::InvalidClient,
                "No active application has this client_id.".into(),
            )
        })?;
    let redirect_uri = non_empty(&req.redirect_uri)
        .ok_or_else(|| ApiError::invalid_request("redirect_uri is required."))?;
    if !app.has_redirect_uri(redirect_uri) {
        return Err(ApiError::invalid_request(
            "redirect_uri is not registered for this application.",
        ));
    }
    let redirect = Redirect {
        uri: redirect_uri,
        state: req.state.as_deref(),
        iss: state.config.issuer(),
    };
    if req.state.as_ref().is_some_and(|s| s.len() > MAX_STATE_LEN) {
        return Err(ApiError::invalid_request(format!(
            "state is longer than {MAX_STATE_LEN} characters."
        )));
    }

    // 2. From here on the app is told through its own URI.
    match non_empty(&req.response_type) {
        Some("code") => {}
        Some(_) => {
            return redirect.error(
                ErrorCode::UnsupportedResponseType,
                "Only response_type=code is supported.",
            )
        }
        None => return redirect.error(ErrorCode::InvalidRequest, "response_type is required."),
    }

    // 3. PKCE is mandatory; a bad challenge is shown to the person (the seed's "Invalid Request").
    let challenge = non_empty(&req.code_challenge)
        .ok_or_else(|| ApiError::invalid_request("code_challenge is required (PKCE, RFC 7636)."))?;
    let challenge = CodeChallenge::parse(challenge).ok_or_else(|| {
        ApiError::invalid_request(
            "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636).",
        )
    })?;
    let method = CodeChallengeMethod::parse(non_empty(&req.code_challenge_method))
        .ok_or_else(|| ApiError::invalid_request("code_challenge_method must be S256 or plain."))?;
    if method == CodeChallengeMethod::Plain && !state.config.pkce_plain_enabled {
        return Err(ApiError::invalid_request(
            "code_challenge_method=plain is not allowed; use S256.",
        ));
    }

    // 4. Scopes: unknown names go back to the app; known but not allowed ones are shown.
    let scope =
        non_empty(&req.scope).ok_or_else(|| ApiError::invalid_request("scope is required."))?;
    let scopes = match ScopeSet::parse(scope) {
        Ok(s) if !s.is_empty() => s,
        Ok(_) => return Err(ApiError::invalid_request("scope is required.")),
        Err(unknown) => {
            return redirect.error(
                ErrorCode::InvalidScope,
                &format!("Unknown scope(s): {}", unknown.0.join(", ")),
            )
        }
    };
    let not_allowed = scopes.not_in(&app.allowed_scopes);
    if !not_allowed.is_empty() {
        let names: Vec<&str> = not_allowed.iter().map(|s| s.as_str()).collect();
        return Err(ApiError::invalid_scope(format!(
            "The application is not allowed to request: {}",
            names.join(", ")
        )));
    }

    // 5. The decision.
    if req.decision == Decision::Deny {
        return redirect.error(ErrorCode::AccessDenied, "User denied access");
    }
    let code = issue_code(
        &state,
        &app,
        &user.user_id,
        &scopes,
        redirect_uri,
        &challenge,
        method,
    )
    .await?;
    redirect.success(&code)
}

async fn issue_code(
    state: &AppState,
    app: &AppRow,
    user_id: &str,
    scopes: &ScopeSet,
    redirect_uri: &str,
    challenge: &CodeChallenge,
    method: CodeChallengeMethod,
) -> ApiResult<String> {
    let code = random_token(CODE_PREFIX);
    let now = state.now();
    grants::create_authorization(
        &state.db,
        &NewAuthorization {
            grant_id: &random_id(),
            user_id,
            oauth_app_id: &app.oauth_app_id,
            scopes: &scopes.to_space_separated(),
            code_hash: &sha256_hex(&code),
            redirect_uri,
            code_challenge: challenge.as_str(),
            code_challenge_method: method.as_str(),
            now,
            code_expires_at: now + state.config.auth_code_ttl,
        },
    )
    .await?;
    Ok(code)
}

/// A verified redirect URI and what every response to it carries.
struct Redirect<'a> {
    uri: &'a str,
    state: Option<&'a str>,
    iss: String,
}

impl Redirect<'_> {
    fn success(&self, code: &str) -> ApiResult<Json<AuthorizeResponse>> {
        let url = redirect_url(
            self.uri,
            &[
                ("code", Some(code)),
                ("state", self.state),
                ("iss", Some(&self.iss)),
            ],
        );
        Ok(Json(AuthorizeResponse { redirect_url: url }))
    }

    fn error(&self, code: ErrorCode, description: &str) -> ApiResult<Json<AuthorizeResponse>> {
        let url = redirect_url(
            self.uri,
            &[
                ("error", Some(code.as_str())),
                ("error_description", Some(description)),
                ("state", self.state),
                ("iss", Some(&self.iss)),
            ],
        );
        Ok(Json(AuthorizeResponse { redirect_url: url }))
    }
}
