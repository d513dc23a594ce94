//! The HTTP surface: one router per feature, merged here. Read this file as
//! the table of contents of the API.

mod account;
mod app_info;
mod authorize;
pub mod caller;
pub mod client_auth;
mod cookie;
mod csp;
pub mod extract;
pub mod frontend;
mod health;
mod introspect;
mod logout;
mod metadata;
mod oidc;
mod register;
mod respond;
mod revoke;
mod session;
mod token;

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Request bodies larger than this are refused with 413 (OAuth bodies are a few hundred bytes).
const MAX_BODY_BYTES: usize = 16 * 1024;

/// CORS for the endpoints public clients call from a page (the Fetch
/// standard's preflight): any origin, never credentials (these endpoints
/// read no cookie), and the headers OAuth and MCP clients send.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("mcp-protocol-version"),
        ])
        .expose_headers([header::WWW_AUTHENTICATE, header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(24 * 3600))
}

/// `router` with CORS. Its 405 answer is set before the layer, so a
/// preflight (OPTIONS, a method no route has) passes through CORS too.
fn with_cors(router: Router<AppState>) -> Router<AppState> {
    router
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(cors())
}

/// The whole application: the API, and the consent screen for every other path.
pub fn build_router(state: AppState) -> Router {
    let consent_screen = frontend::router(state.config.dist_dir.clone());
    Router::new()
        .merge(health::router())
        .merge(session::router())
        .merge(app_info::router())
        .merge(authorize::router())
        .merge(account::router())
        // Browser apps on other origins call these (never the session, the
        // decision or the consent screen: those stay same-origin).
        .merge(with_cors(token::router()))
        .merge(with_cors(introspect::router()))
        .merge(with_cors(revoke::router()))
        .merge(with_cors(metadata::router()))
        .merge(with_cors(register::router()))
        .merge(with_cors(oidc::router()))
        .merge(logout::router())
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
        // Over https, browsers are told to stay on https (RFC 6797).
        .layer(tower::util::option_layer(state.secure_cookies().then(|| {
            SetResponseHeaderLayer::if_not_present(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            )
        })))
        // Failures are logged where they happen (once, with their cause);
        // the trace layer would log every 5xx again at ERROR. Spans name
        // the path only: queries carry id_token_hint, login_hint, state.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_failure(()),
        )
        .layer(CatchPanicLayer::custom(|_panic| {
            ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .with_state(state)
}
