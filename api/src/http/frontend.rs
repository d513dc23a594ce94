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

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use base64::Engine as _;
use sha2::{Digest, Sha256};
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

/// The Content-Security-Policy of the app's HTML: our own scripts, wasm
/// compilation (`'wasm-unsafe-eval'`, which does not allow JS `eval`), and
/// the exact inline scripts of this `index.html` by hash (trunk's loader).
fn app_csp(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src` attribute.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = rest.find("<script")?;
        let after_tag = &rest[start..];
        let open_end = after_tag.find('>')?;
        let attrs = &after_tag[..open_end];
        let body_start = &after_tag[open_end + 1..];
        let close = body_start.find("</script>")?;
        let body = &body_start[..close];
        rest = &body_start[close..];
        if !attrs.contains(" src=") && !body.trim().is_empty() {
            return Some(body);
        }
    })
}

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
mod tests {
    use super::*;
    use axum::http::Request;

    const INDEX: &str = "<!doctype html><html><head>\
        <link rel=\"modulepreload\" href=\"/frontend-0123456789abcdef.js\">\
        <script type=\"module\">import init from '/frontend-0123456789abcdef.js';init();</script>\
        <script src=\"/other.js\"></script></head><body></body></html>";

    fn dist_with_index() -> (tempdir::Dir, PathBuf) {
        let dir = tempdir::Dir::new();
        std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
        std::fs::write(
            dir.path().join("frontend-0123456789abcdef_bg.wasm"),
            vec![0u8; 4096],
        )
        .unwrap();
        let path = dir.path().to_owned();
        (dir, path)
    }

    /// A directory under the system temp dir, removed on drop.
    mod tempdir {
        pub struct Dir(std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                use std::sync::atomic::{AtomicU32, Ordering};
                static N: AtomicU32 = AtomicU32::new(0);
                let p = std::env::temp_dir().join(format!(
                    "frontend-router-test-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    async fn get(router: Router, uri: &str, accept_encoding: Option<&str>) -> Response {
        let mut req = Request::get(uri);
        if let Some(enc) = accept_encoding {
            req = req.header(header::ACCEPT_ENCODING, enc);
        }
        router
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    fn header_of(r: &Response, name: header::HeaderName) -> &str {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    async fn body_string(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn app_routes_get_index_with_policy_and_no_cache() {
        let (_dir, dist) = dist_with_index();
        for (uri, status) in [
            ("/auth/authorize?client_id=x", StatusCode::OK),
            ("/auth/login", StatusCode::OK),
            ("/", StatusCode::OK),
            ("/no/such/page", StatusCode::NOT_FOUND),
        ] {
            let r = get(router(dist.clone()), uri, None).await;
            assert_eq!(r.status(), status, "{uri}");
            assert_eq!(header_of(&r, header::CACHE_CONTROL), NO_CACHE, "{uri}");
            assert_eq!(header_of(&r, header::X_FRAME_OPTIONS), "DENY");
            assert_eq!(header_of(&r, header::REFERRER_POLICY), "no-referrer");
            assert_eq!(header_of(&r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
            let csp = header_of(&r, header::CONTENT_SECURITY_POLICY).to_owned();
            assert!(
                csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
                "{csp}"
            );
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            assert_eq!(body_string(r).await, INDEX);
        }
    }

    #[test]
    fn the_policy_hashes_exactly_the_inline_scripts() {
        let scripts: Vec<&str> = inline_scripts(INDEX).collect();
        assert_eq!(
            scripts,
            vec!["import init from '/frontend-0123456789abcdef.js';init();"]
        );
        let csp = app_csp(INDEX);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(scripts[0]));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("'sha256-").count(), 1);
    }

    #[tokio::test]
    async fn api_paths_get_the_json_not_found_never_the_page() {
        let (_dir, dist) = dist_with_index();
        for uri in ["/api/nope", "/api", "/api/oauth/app/x/y"] {
            let r = get(router(dist.clone()), uri, None).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
            assert!(header_of(&r, header::CONTENT_TYPE).starts_with("application/json"));
            let body: ErrorBody = serde_json::from_str(&body_string(r).await).unwrap();
            assert_eq!(body.error, "not_found");
        }
    }

    #[tokio::test]
    async fn hashed_assets_are_immutable_and_compressed() {
        let (_dir, dist) = dist_with_index();
        let r = get(
            router(dist),
            "/frontend-0123456789abcdef_bg.wasm",
            Some("gzip"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header_of(&r, header::CACHE_CONTROL), IMMUTABLE);
        assert_eq!(header_of(&r, header::CONTENT_TYPE), "application/wasm");
        assert_eq!(header_of(&r, header::CONTENT_ENCODING), "gzip");
        assert_eq!(header_of(&r, header::CONTENT_SECURITY_POLICY), STRICT_CSP);
    }

    #[tokio::test]
    async fn a_missing_build_is_explained_not_a_panic() {
        let dir = tempdir::Dir::new();
        let r = get(router(dir.path().to_owned()), "/auth/authorize", None).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(body_string(r).await.contains("trunk build"));
    }

    #[test]
    fn content_hash_detection() {
        assert!(is_content_hashed("/frontend-5c8d0d7f5d8a1a2b_bg.wasm"));
        assert!(is_content_hashed("/frontend-5c8d0d7f5d8a1a2b.js"));
        assert!(is_content_hashed("/style-5c8d0d7f5d8a1a2b.css"));
        assert!(
            is_content_hashed("/frontend-f1ca99c6c71591a_bg.wasm"),
            "15 digits"
        );
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/robots.txt"));
        assert!(!is_content_hashed("/my-file.css"));
    }
}
