//! Extractors whose rejections are our error type, so malformed input of any
//! kind answers with the one error shape (JSON, paths, queries, OAuth form
//! bodies), and the request's one reading of the clock. Who is calling is
//! `caller.rs`.

use crate::domain::wording::Locale;
use crate::error::{ApiError, ApiResult, DatabaseDown};
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use serde::de::DeserializeOwned;
use shared::FormError;

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

/// Middleware around every request: reads the clock once, and reports a
/// response that failed for want of the database to the health tracker.
pub async fn per_request(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(Now(state.now()));
    let response = next.run(req).await;
    if response.extensions().get::<DatabaseDown>().is_some() {
        state.health.report_down();
        state.db.suspect_connections();
    }
    response
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
                let bytes =
                    axum::body::Bytes::from_request(req, state)
                        .await
                        .map_err(|e| match e.status() {
                            axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                            _ => ApiError::invalid_request("The request body could not be read."),
                        })?;
                Ok(OAuthBody(from_pairs(
                    url::form_urlencoded::parse(&bytes),
                    "form body",
                )?))
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

/// Decoded form or query pairs as a `T`, by the shared form rules
/// (`shared::form`): RFC 6749 §3.1, no parameter may be repeated, except a
/// list (`resource`, which RFC 8707 §2 lets a client give more than once).
fn from_pairs<'a, T: DeserializeOwned>(
    pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    what: &str,
) -> ApiResult<T> {
    shared::form::from_pairs(pairs).map_err(|e| match e {
        FormError::Repeated(_) => ApiError::invalid_request(e.to_string()),
        FormError::Invalid(e) => ApiError::invalid_request(format!("Invalid {what}: {e}")),
    })
}

/// A query string as a `T`, with the same rules as a form body (a repeated
/// `resource` is a list).
#[derive(Debug, Clone)]
pub struct ListQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ListQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        let query = parts.uri.query().unwrap_or("");
        Ok(ListQuery(from_pairs(
            url::form_urlencoded::parse(query.as_bytes()),
            "query",
        )?))
    }
}

/// RFC 6749 §3.1: parameters sent without a value are treated as omitted.
pub fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// The language to word scopes in: the `ui_locales` query parameter (the
/// consent screen sends its own language so), else `Accept-Language`.
#[derive(Debug, Clone, Copy)]
pub struct Wording(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Wording {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        #[derive(serde::Deserialize)]
        struct Asked {
            ui_locales: Option<String>,
        }
        let query = parts.uri.query().unwrap_or("");
        let asked: Asked = from_pairs(url::form_urlencoded::parse(query.as_bytes()), "query")?;
        let header = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Ok(Wording(Locale::pick(asked.ui_locales.as_deref(), header)))
    }
}
