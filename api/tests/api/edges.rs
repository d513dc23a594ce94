//! The edges an attacker or an operator finds: every answer in the one error
//! shape (hyper's own included), the same-origin rule on every state-changing
//! browser endpoint, probes, strange paths, slow clients, and a database
//! that goes away.

use crate::helpers::{backend, send, spawn_app, spawn_app_with, start, Reply, TestApp, PASSWORD};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Sends raw bytes and reads the whole answer (the server closes after an error).
async fn raw(app: &TestApp, bytes: &[u8]) -> (u16, String) {
    let addr = app.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn body_of(response: &str) -> serde_json::Value {
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {response:.300}"))
}

#[tokio::test]
async fn what_hyper_answers_itself_is_in_the_error_shape_too() {
    let app = spawn_app().await;
    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    let big_headers = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..2000)
            .map(|i| format!("x-filler-{i}: {}\r\n", "v".repeat(300)))
            .collect::<String>()
    );
    for (request, status, why) in [
        (b"THIS IS NOT HTTP\r\n\r\n".to_vec(), 400, "garbage"),
        (
            b"GET / HTTP/1.1\r\nBad Header\r\n\r\n".to_vec(),
            400,
            "malformed header",
        ),
        (long_uri.into_bytes(), 414, "URI too long"),
        (big_headers.into_bytes(), 431, "headers too large"),
    ] {
        let (got, response) = raw(&app, &request).await;
        assert_eq!(got, status, "{why}: {response:.200}");
        assert!(
            response
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{why}"
        );
        let body = body_of(&response);
        assert_eq!(body["error"], "invalid_request", "{why}");
        assert!(body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
    // A body over the limit is refused by the router, in the shape as ever.
    let r = app
        .post_raw("/api/auth/login", "application/json", vec![b'x'; 100_000])
        .await;
    assert_eq!((r.status, r.error()), (413, "payload_too_large"));
}

#[tokio::test]
async fn any_path_the_consent_screen_cannot_serve_is_a_404_never_a_500() {
    let app = spawn_app().await;
    for path in [
        format!("/{}", "x".repeat(300)),
        format!("/{}/{}", "y".repeat(256), "z".repeat(4000)),
        "/%00".to_owned(),
        "/..%2f..%2fetc%2fpasswd".to_owned(),
        format!("/static/{}.js", "q".repeat(1000)),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, 404, "{:.40}", path);
    }
    let r = app.get(&format!("/api/{}", "x".repeat(300))).await;
    assert_eq!((r.status, r.error()), (404, "not_found"));
}

#[tokio::test]
async fn every_state_changing_browser_endpoint_refuses_cross_site_requests() {
    let app = spawn_app().await;
    let client = app.default_app().await;
    let victim = spawn_app().await;
    victim.signup("ada@example.com").await.ok();
    let endpoints = [
        (
            "/api/auth/signup",
            json!({"email": "mallory@example.com", "password": PASSWORD}),
        ),
        (
            "/api/auth/login",
            json!({"email": "ada@example.com", "password": PASSWORD}),
        ),
        ("/api/auth/logout", json!({})),
        ("/api/oauth/authorize", app.authorize_body(&client)),
    ];
    let refused = [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("sec-fetch-site", "none"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ];
    for (path, body) in &endpoints {
        for (header, value) in refused {
            let r = send(
                app.browser
                    .post(app.url(path))
                    .header(header, value)
                    .json(body),
            )
            .await;
            assert_eq!(
                (r.status, r.error()),
                (403, "forbidden"),
                "{path} with {header}: {value}"
            );
        }
    }
    assert_eq!(
        app.count("app_user").await,
        0,
        "no account was made cross-site"
    );
    // The same requests from the page itself go through.
    let same = |path: &str, body: &serde_json::Value| {
        app.browser
            .post(app.url(path))
            .header("sec-fetch-site", "same-origin")
            .header("origin", &*app.state.issuer)
            .json(body)
    };
    assert_eq!(
        send(same(endpoints[0].0, &endpoints[0].1)).await.status,
        201
    );
    assert_eq!(
        send(same(endpoints[3].0, &endpoints[3].1)).await.status,
        200
    );
    assert_eq!(
        send(same(endpoints[2].0, &endpoints[2].1)).await.status,
        204
    );
}

#[tokio::test]
async fn probes_say_whether_the_process_and_the_database_are_up() {
    let app = spawn_app().await;
    let live = app.get("/healthz").await;
    assert_eq!((live.status, &live.body["status"]), (200, &json!("ok")));
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status, &ready.body["status"]),
        (200, &json!("ready"))
    );
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_others_are_served_meanwhile() {
    let app = spawn_app_with(|c| c.transport.header_read_timeout = 1).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // A small slowloris: connections that never finish their headers, and
    // some that never send anything at all.
    let mut slow = Vec::new();
    for i in 0..150 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET /api/auth/config HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .await
                .unwrap();
        }
        slow.push(s);
    }
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(app.get("/api/auth/config").await.status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "normal requests stayed quick"
    );
    // And one that finished a request, then sits idle on keep-alive.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /api/auth/config HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 512];
    assert!(idle.read(&mut first).await.unwrap() > 0);
    slow.push(idle);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let reads = slow.into_iter().map(|mut s| async move {
        let mut buf = [0u8; 1024];
        // EOF (or a 408, then EOF) within a moment: the server hung up.
        loop {
            match tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
                Err(_) => return false,
            }
        }
    });
    let closed = futures::future::join_all(reads)
        .await
        .into_iter()
        .filter(|c| *c)
        .count();
    assert_eq!(
        closed, 151,
        "every slow or idle connection was closed by the server"
    );
}

/// A TCP proxy to PostgreSQL that the test can cut and restore, so one
/// instance loses its database while the shared server keeps running.
struct Cuttable {
    port: u16,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Cuttable {
    async fn start(port: u16) -> Cuttable {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                conns.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect("127.0.0.1:5432").await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Cuttable {
            port,
            task: Some(task),
        }
    }

    /// Stops listening and drops every connection through the proxy.
    fn cut(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// A second instance on `base`'s PostgreSQL schema, connected through `proxy`.
async fn behind(base: &TestApp, proxy: &Cuttable) -> TestApp {
    let mut config = (*base.state.config).clone();
    let schema = config
        .database
        .database_url
        .split("search_path%3D")
        .nth(1)
        .unwrap()
        .to_owned();
    config.database.database_url = format!(
        "postgres://postgres@127.0.0.1:{}/test?options=-c%20search_path%3D{schema}",
        proxy.port
    );
    start(config, None).await
}

#[tokio::test]
async fn while_the_database_is_down_requests_get_a_fast_503_and_recover_at_once() {
    if backend() != "postgres" {
        // The embedded database cannot go away while the process runs.
        return;
    }
    let base = spawn_app().await;
    let client = base.default_app().await;
    let mut proxy = Cuttable::start(0).await;
    let app = behind(&base, &proxy).await;
    assert!(app.is_active(&client, "agpt_xt_nothing").await.eq(&false));

    proxy.cut();
    let started = Instant::now();
    let r = app.introspect(&client, "agpt_xt_nothing").await;
    let took = started.elapsed();
    assert_eq!((r.status, r.error()), (503, "temporarily_unavailable"));
    assert!(r.header("retry-after").is_some());
    assert!(
        took < Duration::from_secs(4),
        "fast, not a 30 s hang: {took:?}"
    );
    let ready: Reply = app.get("/readyz").await;
    assert_eq!(
        (ready.status, ready.error()),
        (503, "temporarily_unavailable")
    );
    assert_eq!(
        app.get("/healthz").await.status,
        200,
        "the process itself is fine"
    );

    let _proxy = Cuttable::start(proxy.port).await;
    let back = app.introspect(&client, "agpt_xt_nothing").await;
    assert_eq!(back.status, 200, "recovery is immediate: {:?}", back.body);
    assert_eq!(app.get("/readyz").await.status, 200);
}

/// Another process holds SQLite's write lock (the CLI, a backup, a second
/// instance): every queued write is answered 503 within the database
/// timeout, together, not each after a wait of its own; the JWKS (whose
/// first key must be stored) too, as a 503 and not a 500. Once the lock is
/// gone, the unspent codes work.
#[tokio::test]
async fn a_held_sqlite_lock_answers_queued_writes_fast_with_503() {
    if backend() != "sqlite" {
        return;
    }
    use sqlx::{Connection, Executor};
    let app = spawn_app_with(|c| c.database.database_timeout = 1).await;
    let client = app.default_app().await;
    let mut codes = Vec::new();
    for _ in 0..8 {
        codes.push(app.get_code(&client).await);
    }
    let mut holder = sqlx::AnyConnection::connect(&app.state.config.database.database_url)
        .await
        .unwrap();
    holder.execute("begin immediate").await.unwrap();

    let started = Instant::now();
    let exchanges = codes.iter().map(|code| {
        let (app, client) = (&app, &client);
        async move {
            let r = app
                .post_form_basic(
                    "/api/oauth/token",
                    client,
                    &[
                        ("grant_type", "authorization_code"),
                        ("code", code),
                        ("redirect_uri", &client.redirect_uri),
                        ("code_verifier", crate::helpers::VERIFIER),
                    ],
                )
                .await;
            (r.status, r.error().to_owned(), started.elapsed())
        }
    });
    for (status, error, took) in futures::future::join_all(exchanges).await {
        assert_eq!((status, error.as_str()), (503, "temporarily_unavailable"));
        assert!(
            took < Duration::from_secs(2),
            "within the 1 s timeout + 1 s, not one wait per queued write: {took:?}"
        );
    }
    let jwks = app.get("/api/oauth/jwks").await;
    assert_eq!(
        (jwks.status, jwks.error()),
        (503, "temporarily_unavailable"),
        "a key that cannot be stored is an outage, not our bug"
    );

    holder.execute("rollback").await.unwrap();
    let t = app.exchange(&client, &codes[0]).await.ok();
    assert!(app.is_active(&client, t.access_token.secret()).await);
    assert_eq!(app.get("/api/oauth/jwks").await.status, 200);
}

/// With PostgreSQL gone, the JWKS and an ID Token's signing key are an
/// outage (503), not a server error.
#[tokio::test]
async fn keys_answer_503_while_the_database_is_down() {
    if backend() != "postgres" {
        return;
    }
    let base = spawn_app().await;
    let mut proxy = Cuttable::start(0).await;
    let app = behind(&base, &proxy).await;
    proxy.cut();
    let jwks = app.get("/api/oauth/jwks").await;
    assert_eq!(
        (jwks.status, jwks.error()),
        (503, "temporarily_unavailable")
    );
}

/// Served over https: the session cookie is `__Host-` prefixed (Secure,
/// path /, this host only) and browsers are told to stay on https.
#[tokio::test]
async fn over_https_the_cookie_is_host_only_and_hsts_is_sent() {
    let app = spawn_app_with(|c| c.public_url = Some("https://auth.example".into())).await;
    let r = send(
        app.http
            .post(app.url("/api/auth/signup"))
            .header("origin", "https://auth.example")
            .json(&json!({"email": "tls@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with("__Host-agpt_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(
        r.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    let plain = spawn_app().await;
    let r = plain.get("/healthz").await;
    assert!(r.header("strict-transport-security").is_none());
}

/// A request whose body never comes is answered 408 and its connection
/// closed within the request deadline; everyone else is served meanwhile.
#[tokio::test]
async fn a_body_that_never_comes_is_cut_off_at_the_deadline() {
    let app = spawn_app_with(|c| c.transport.request_timeout = 2).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stalled = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(
            b"POST /api/oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 16000\r\n\r\ngrant_type=",
        )
        .await
        .unwrap();
        stalled.push(s);
    }
    let started = Instant::now();
    for _ in 0..10 {
        assert_eq!(app.get("/api/auth/config").await.status, 200);
    }
    let reads = stalled.into_iter().map(|mut s| async move {
        let mut answer = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut answer)).await;
        (read.is_ok(), String::from_utf8_lossy(&answer).into_owned())
    });
    for (closed, answer) in futures::future::join_all(reads).await {
        assert!(closed, "closed by the server, not left open");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("\"error\":\"invalid_request\""), "{answer}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "within the 2 s deadline (+ slack): {:?}",
        started.elapsed()
    );
}
