//! The HTTP surface: one router per feature, merged here. Read this file as
//! the table of contents of the API.

mod app_info;
mod authorize;
pub mod client_auth;
pub mod extract;
pub mod frontend;
mod health;
mod introspect;
pub mod limits;
mod metadata;
mod revoke;
mod session;
mod token;

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Request bodies larger than this are refused with 413 (OAuth bodies are a few hundred bytes).
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The whole application: the API, and the consent screen for every other path.
pub fn build_router(state: AppState) -> Router {
    let consent_screen = frontend::router(state.config.dist_dir.clone());
    Router::new()
        .merge(health::router())
        .merge(session::router())
        .merge(app_info::router())
        .merge(authorize::router())
        .merge(token::router())
        .merge(introspect::router())
        .merge(revoke::router())
        .merge(metadata::router())
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .fallback_service(consent_screen)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::per_request,
        ))
        // No browser may guess a JSON answer into something it would run.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Failures are logged where they happen (once, with their cause);
        // the trace layer would log every 5xx again at ERROR.
        .layer(TraceLayer::new_for_http().on_failure(()))
        .layer(CatchPanicLayer::custom(|_panic| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .with_state(state)
}
