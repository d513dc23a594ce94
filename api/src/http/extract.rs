//! Extractors whose rejections are our error type, so malformed input of any
//! kind answers with the one error shape; and the request's one reading of
//! the clock.

use crate::crypto::sha256_hex;
use crate::domain::session::live_user;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::sessions;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use serde::de::DeserializeOwned;
use shared::Me;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "agpt_session";

/// `axum::Json` with our rejection.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Path` with our rejection.
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `axum::extract::Query` with our rejection.
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The time of this request (Unix seconds), read from the state's clock once
/// when the request arrives (see [`stamp_time`]), so every rule applied while
/// answering it sees the same `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now(pub i64);

/// Middleware: reads the clock once per request.
pub async fn stamp_time(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(Now(state.now()));
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for Now {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        parts
            .extensions
            .get::<Now>()
            .copied()
            .ok_or_else(|| ApiError::Internal("the request was not stamped with a time".into()))
    }
}

/// An OAuth endpoint body: `application/x-www-form-urlencoded` (RFC 6749,
/// what client libraries send) or `application/json` (the seed's curl).
#[derive(Debug, Clone)]
pub struct OAuthBody<T>(pub T);

impl<T, S> FromRequest<S> for OAuthBody<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match content_type.as_str() {
            "application/x-www-form-urlencoded" => {
                let axum::Form(body) = axum::Form::<T>::from_request(req, state).await?;
                Ok(OAuthBody(body))
            }
            "application/json" => {
                let axum::Json(body) = axum::Json::<T>::from_request(req, state).await?;
                Ok(OAuthBody(body))
            }
            _ => Err(ApiError::invalid_request(
                "Content-Type must be application/x-www-form-urlencoded or application/json.",
            )),
        }
    }
}

/// RFC 6749 §3.1: parameters sent without a value are treated as omitted.
pub fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// The signed-in user, from the session cookie. Rejects with 401.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Me);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let Now(now) = Now::from_request_parts(parts, state).await?;
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Err(ApiError::Unauthorized("You are not signed in.".into()));
        };
        let session = sessions::find_session(&state.db, &sha256_hex(cookie.value())).await?;
        match live_user(session, now) {
            Some(me) => Ok(CurrentUser(me)),
            None => Err(ApiError::Unauthorized(
                "Your session has ended. Please sign in again.".into(),
            )),
        }
    }
}
