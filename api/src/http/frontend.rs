//! Serves the consent screen: trunk's `dist/` (see `Trunk.toml`), with the
//! app's routes falling back to `index.html`, on the same origin as the API.
//!
//! Stateless apart from the directory; installed as the fallback of the whole
//! router, so it only sees paths no API route claimed. Those under `/api/`
//! get the JSON not-found body, never the HTML page.
//!
//! Headers: the HTML gets a Content-Security-Policy that allows only our own
//! scripts and wasm (plus the hash of trunk's inline loader script, computed
//! from the file served), and every response gets `X-Frame-Options: DENY`,
//! `Referrer-Policy: no-referrer` and `nosniff`. Content-hashed assets are
//! cached for a year; `index.html` is revalidated every time so a deploy is
//! picked up at once. Everything is compressed (brotli or gzip).

use super::csp::app_csp;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use shared::{ErrorBody, ErrorCode};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt as _;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Paths the app itself routes (see `frontend/src/lib.rs`); any other path
/// still gets the app, which shows its not-found page, but with status 404.
fn is_app_route(path: &str) -> bool {
    path == "/" || path == "/auth" || path.starts_with("/auth/") || path == "/account/apps"
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// The policy of everything that is not the app's HTML: nothing may load.
const STRICT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The consent screen's router, for `Router::fallback_service`.
pub fn router(dist_dir: PathBuf) -> Router {
    Router::new()
        .fallback(serve)
        .with_state(Arc::new(dist_dir))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        ))
        // Clickjacking: the consent buttons must never sit under someone
        // else's page (RFC 6749 §10.13).
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // The authorize URL carries state and the PKCE challenge; no other
        // site needs to see it in a Referer.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

async fn serve(State(dist): State<Arc<PathBuf>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    if path == "/api" || path.starts_with("/api/") {
        return api_not_found();
    }
    if path != "/" && path != "/index.html" {
        // ServeDir resolves the path safely inside `dist` (no `..`) and sets
        // the content type; it answers 404 for missing files and directories.
        let Ok(response) = ServeDir::new(dist.as_path())
            .append_index_html_on_directories(false)
            .oneshot(req)
            .await;
        // ServeDir answers 404 for a missing file, and 500 when the file
        // system refuses the name (a segment longer than the system allows,
        // say): to a visitor both are a page that is not there.
        if response.status().is_success() || response.status().is_redirection() {
            let cache = if response.status().is_success() && is_content_hashed(&path) {
                IMMUTABLE
            } else {
                NO_CACHE
            };
            let mut response = response.map(Body::new);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            return response;
        }
    }
    let status = if is_app_route(&path) || path == "/index.html" {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    index(&dist, status).await
}

fn api_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(ErrorBody::new(ErrorCode::NotFound, "No such endpoint.")),
    )
        .into_response()
}

/// `index.html` with its policy, or a page saying how to build it.
async fn index(dist: &std::path::Path, status: StatusCode) -> Response {
    // Read per request (it is small) so a rebuilt dist/ is served without a
    // restart, and its inline script hashes always match what is sent.
    match tokio::fs::read_to_string(dist.join("index.html")).await {
        Ok(html) => {
            let csp = app_csp(&html);
            let mut response = (status, axum::response::Html(html)).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
            if let Ok(value) = HeaderValue::from_str(&csp) {
                headers.insert(header::CONTENT_SECURITY_POLICY, value);
            }
            response
        }
        Err(_) => {
            tracing::debug!(dist = %dist.display(), "no index.html in DIST_DIR; build the frontend with `trunk build --release`");
            // The app's own pages are unavailable until it is built; any other
            // path is simply not there either way.
            let status = if status == StatusCode::OK {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                status
            };
            let mut response = (status, axum::response::Html(NOT_BUILT)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
            response
        }
    }
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Consent screen not built</title></head><body><h1>The consent screen is not built</h1>\
<p>The API is running, but its <code>DIST_DIR</code> has no <code>index.html</code>. \
Build the frontend with <code>trunk build --release</code> (tools: \
<code>scripts/install-frontend-tools.sh</code>) and reload.</p></body></html>";

/// True for trunk's content-hashed names (`frontend-0123456789abcdef_bg.wasm`,
/// `style-0123456789abcdef.css`): a new build gets a new name, so the old one
/// may be cached forever. Trunk prints the 64-bit hash without zero padding,
/// so it can be shorter than 16 digits; 12 or more cannot be a word.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('-').skip(1).any(|part| {
        let hex_len = part.chars().take_while(|c| c.is_ascii_hexdigit()).count();
        hex_len >= 12 && matches!(part[hex_len..].chars().next(), Some('.' | '_'))
    })
}

#[cfg(test)]
#[path = "frontend_tests.rs"]
mod tests;
