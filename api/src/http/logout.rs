//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at the
//! edge: the relying party's GET or form POST, and the sign-out page's
//! confirmation. The use cases are `authz::service::logout`.

use super::caller::{session_cookie_name, SameOrigin};
use super::cookie::end_session;
use super::extract::Now;
use super::respond::see_other;
use crate::error::{ApiError, ApiResult};
use crate::service::logout::{self, FromRelyingParty, LogoutRequest};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use shared::{AuthorizeResponse, LogoutConfirmation};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/logout", get(get_logout).post(post_logout))
}

/// The relying party's request (a query, or a form it posted): signed out
/// at once, or on to the page that asks.
async fn from_relying_party(
    state: &AppState,
    jar: CookieJar,
    query: &[u8],
    now: i64,
) -> ApiResult<Response> {
    let req = LogoutRequest::parse(query)?;
    let secret = jar
        .get(session_cookie_name(state))
        .map(|c| c.value().to_owned());
    match logout::from_relying_party(state, &req, secret.as_deref(), now).await? {
        FromRelyingParty::Ask => {
            see_other(&format!("/auth/logout?{}", String::from_utf8_lossy(query)))
        }
        FromRelyingParty::SignOut { next } => {
            let jar = end_session(state, jar).await?;
            Ok((jar, see_other(&next)?).into_response())
        }
    }
}

/// OpenID Connect RP-Initiated Logout §2 (GET).
async fn get_logout(
    State(state): State<AppState>,
    Now(now): Now,
    jar: CookieJar,
    uri: Uri,
) -> ApiResult<Response> {
    let query = uri.query().unwrap_or("").to_owned();
    from_relying_party(&state, jar, query.as_bytes(), now).await
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
        return from_relying_party(&state, jar, &body, now).await;
    }
    SameOrigin::check(&state, &headers)?;
    let confirmed: LogoutConfirmation = serde_json::from_slice(&body).map_err(|e| {
        ApiError::invalid_request(format!("The body is not a logout confirmation ({e})."))
    })?;
    let req = LogoutRequest::parse(confirmed.query.as_bytes())?;
    let next = logout::confirmed(&state, &req, now).await?;
    let jar = end_session(&state, jar).await?;
    Ok((jar, Json(AuthorizeResponse { redirect_url: next })).into_response())
}
