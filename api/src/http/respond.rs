//! Response shapes more than one feature module answers with, written once:
//! feature modules import this, never each other.

use crate::error::{ApiError, ApiResult};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// RFC 6749 §5.1: token responses (and anything else carrying credentials)
/// must not be cached.
pub fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// A 303 to `url`, never cached (it may carry a code or a state).
pub fn see_other(url: &str) -> ApiResult<Response> {
    let location = HeaderValue::from_str(url)
        .map_err(|_| ApiError::Internal("a redirect URL is not a header value".into()))?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(header::LOCATION, location);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
