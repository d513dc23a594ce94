//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): a relying
//! party sends the person here to end their AutoGPT session too, and may
//! ask to have them sent back to one of its registered post-logout URIs.
//!
//! With a valid `id_token_hint` naming the signed-in person, the session
//! ends at once; without one, the sign-out page asks first (a link on any
//! site must not be able to sign people out).

use super::cookie::end_session;
use super::extract::{session_cookie_name, Now, SameOrigin};
use super::respond::see_other;
use crate::crypto::sha256_hex;
use crate::domain::oidc::{check_logout, LogoutRejection};
use crate::domain::redirect::redirect_url;
use crate::domain::session::live_user;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{apps, sessions};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use shared::{AuthorizeResponse, ClientId, LogoutConfirmation};

/// Where the person lands when no relying party takes them back.
const SIGNED_OUT: &str = "/auth/signed-out";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/logout", get(get_logout).post(post_logout))
}

/// RP-initiated logout's parameters (RP-Initiated Logout 1.0 §2), as the
/// relying party sent them.
#[derive(Debug, Default, serde::Deserialize)]
struct LogoutRequest {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// What a valid logout request resolves to.
struct Resolved {
    /// The person the hint names, if a valid hint came.
    hinted_sub: Option<String>,
    /// Where to send the person afterwards.
    next: String,
    /// `next` is a URI of a client nobody vouched for: never sent there
    /// without the person's confirmation.
    unvouched: bool,
}

async fn resolve(state: &AppState, req: &LogoutRequest, now: i64) -> ApiResult<Resolved> {
    let hint = match req.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        None => None,
        Some(token) => Some(state.keys.verify_ours(&state.db, token, now).await?),
    };
    let checked = check_logout(
        hint.as_ref().map(Option::as_ref),
        &state.issuer,
        req.client_id.as_deref().filter(|c| !c.is_empty()),
        now,
    )
    .map_err(|r| ApiError::rejected(&r))?;
    let uri = req
        .post_logout_redirect_uri
        .as_deref()
        .filter(|u| !u.is_empty());
    let mut unvouched = false;
    let next = match (uri, &checked.client_id) {
        (None, _) => SIGNED_OUT.to_owned(),
        (Some(_), None) => return Err(ApiError::rejected(&LogoutRejection::ClientUnknown)),
        (Some(uri), Some(client_id)) => {
            let client = match ClientId::parse(client_id) {
                Some(id) => apps::find_client(&state.db, &id).await?,
                None => None,
            }
            .ok_or_else(|| ApiError::rejected(&LogoutRejection::ClientUnknown))?;
            if !apps::has_post_logout_uri(&state.db, &client.oauth_app_id, uri).await? {
                return Err(ApiError::rejected(&LogoutRejection::UriNotRegistered));
            }
            unvouched = !client.registration.is_verified();
            redirect_url(
                uri,
                &[("state", req.state.as_deref().filter(|s| !s.is_empty()))],
            )
        }
    };
    Ok(Resolved {
        // An expired hint asks, like none (OpenID RP-Initiated Logout §2:
        // a hint is a hint; only a live one is worth acting on unasked).
        hinted_sub: checked.sub.filter(|_| !checked.expired),
        next,
        unvouched,
    })
}

/// The relying party's request (a query, or a form it posted): signed out
/// at once if the hint names whoever is signed in; otherwise on to the page
/// that asks (and that reports a bad request).
async fn from_relying_party(
    state: &AppState,
    jar: CookieJar,
    req: LogoutRequest,
    query: String,
    now: i64,
) -> ApiResult<Response> {
    let ask = || see_other(&format!("/auth/logout?{query}"));
    let Ok(resolved) = resolve(state, &req, now).await else {
        return ask();
    };
    let Some(sub) = resolved.hinted_sub else {
        return ask();
    };
    if resolved.unvouched {
        // RFC 9700 §4.11.2: the page names the destination and asks.
        return ask();
    }
    let session = match jar.get(session_cookie_name(state)) {
        Some(c) => live_user(
            sessions::find_session(&state.db, &sha256_hex(c.value())).await?,
            now,
        ),
        None => None,
    };
    if session.as_ref().is_some_and(|me| me.user_id != sub) {
        // Someone else is signed in here now: theirs to decide.
        return ask();
    }
    let jar = end_session(state, jar).await?;
    Ok((jar, see_other(&resolved.next)?).into_response())
}

/// OpenID Connect RP-Initiated Logout §2 (GET).
async fn get_logout(
    State(state): State<AppState>,
    Now(now): Now,
    jar: CookieJar,
    uri: Uri,
) -> ApiResult<Response> {
    let query = uri.query().unwrap_or("").to_owned();
    let req = logout_request(query.as_bytes())?;
    from_relying_party(&state, jar, req, query, now).await
}

fn logout_request(form: &[u8]) -> ApiResult<LogoutRequest> {
    // A form is percent-encoded: a raw control byte (or space) is no form,
    // and must not reach the URL the browser is sent on to.
    if form.iter().any(|b| b.is_ascii_control() || *b == b' ') {
        return Err(ApiError::invalid_request(
            "The form is not urlencoded: it has raw spaces or control characters.",
        ));
    }
    shared::form::from_pairs(url::form_urlencoded::parse(form))
        .map_err(|e| ApiError::invalid_request(e.to_string()))
}

/// RP-Initiated Logout §2 (a form POST from the relying party), or the
/// sign-out page's confirmation (JSON, same origin only) → `{redirect_url}`.
async fn post_logout(
    State(state): State<AppState>,
    Now(now): Now,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        let query = String::from_utf8_lossy(&body).into_owned();
        let req = logout_request(&body)?;
        return from_relying_party(&state, jar, req, query, now).await;
    }
    confirm_logout(state, now, &headers, jar, &body).await
}

async fn confirm_logout(
    state: AppState,
    now: i64,
    headers: &HeaderMap,
    jar: CookieJar,
    body: &[u8],
) -> ApiResult<Response> {
    SameOrigin::check(&state, headers)?;
    let confirmed: LogoutConfirmation = serde_json::from_slice(body).map_err(|e| {
        ApiError::invalid_request(format!("The body is not a logout confirmation ({e})."))
    })?;
    let req = logout_request(confirmed.query.as_bytes())?;
    let resolved = resolve(&state, &req, now).await?;
    let jar = end_session(&state, jar).await?;
    Ok((
        jar,
        Json(AuthorizeResponse {
            redirect_url: resolved.next,
        }),
    )
        .into_response())
}
