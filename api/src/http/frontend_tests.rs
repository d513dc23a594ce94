//! The consent screen's static serving: routes, headers, caching, compression.

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
