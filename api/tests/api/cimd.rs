//! Client ID Metadata Documents: an https client_id is fetched (under the
//! SSRF rules), checked, cached, and used as the client's registration.

use crate::doc_server::{Doc, DocServer};
use crate::helpers::{spawn_app_with, TestApp, TestClient, CHALLENGE};
use serde_json::json;
use shared::TokenResponse;

const REDIRECT: &str = "http://127.0.0.1:33418/callback";

/// A server that trusts the document server's CA and may fetch from loopback.
async fn app_for(docs: &DocServer, more: impl FnOnce(&mut api::config::Config)) -> TestApp {
    let ca = docs.ca_file.path().to_owned();
    spawn_app_with(move |c| {
        c.cimd.cimd_extra_root_ca = Some(ca);
        c.cimd.cimd_allow_loopback = true;
        more(c);
    })
    .await
}

fn app_path(id: &str) -> String {
    format!("/api/oauth/app/{}?redirect_uri={}", enc(id), enc(REDIRECT))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_document_client_signs_in_and_gets_tokens() {
    let docs = DocServer::start().await;
    let id = docs.serve_client("/oauth/client.json", REDIRECT);
    let app = app_for(&docs, |_| {}).await;

    let info = app.get(&app_path(&id)).await;
    assert_eq!(info.status, 200, "{:?}", info.body);
    assert_eq!(info.body["client_id"], json!(id));
    assert_eq!(info.body["name"], "Doc Client");
    assert_eq!(info.body["registration"], "metadata_document");
    assert_eq!(info.body["client_host"], "localhost");
    assert_eq!(info.body["runs_on_device"], true);

    app.signup("doc@example.com").await.ok();
    let r = app
        .authorize(&json!({
            "client_id": id, "redirect_uri": "http://127.0.0.1:50111/callback", "state": "s",
            "code_challenge": CHALLENGE, "code_challenge_method": "S256",
            "response_type": "code", "decision": "approve",
        }))
        .await;
    let code = r
        .redirect_param("code")
        .expect("a code, on another loopback port");
    let client = TestClient {
        client_id: id.clone(),
        secret: None,
        redirect_uri: "http://127.0.0.1:50111/callback".into(),
    };
    let t: TokenResponse = app.exchange_in_body(&client, &code).await.ok();
    let refreshed: TokenResponse = app
        .post_form(
            "/api/oauth/token",
            &client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", t.refresh_token.secret()),
            ],
        )
        .await
        .typed()
        .ok();
    // (In a form body: a URL id has colons, so HTTP Basic would need it form-encoded.)
    let seen = app
        .post_form(
            "/api/oauth/introspect",
            &client,
            &[("token", refreshed.access_token.secret())],
        )
        .await;
    assert_eq!(seen.body["active"], true);
    assert_eq!(seen.body["client_id"], json!(id));
}

#[tokio::test]
async fn documents_are_cached_within_bounds_and_failures_never() {
    let docs = DocServer::start().await;
    let id = docs.url("/c.json");
    docs.serve(
        "/c.json",
        Doc {
            status: 500,
            body: "oops".into(),
            headers: vec![],
        },
    );
    let app = app_for(&docs, |_| {}).await;
    assert_eq!(app.get(&app_path(&id)).await.error(), "invalid_client");
    let after_failure = docs.hits();
    // Fixed at the source: used at once (the failure was not cached).
    docs.serve_client("/c.json", REDIRECT);
    assert_eq!(app.get(&app_path(&id)).await.status, 200);
    assert_eq!(docs.hits(), after_failure + 1);
    // Cached: no fetch for the next requests…
    for _ in 0..3 {
        assert_eq!(app.get(&app_path(&id)).await.status, 200);
    }
    assert_eq!(docs.hits(), after_failure + 1);
    // …until the (minimum, 5 minute) lifetime ends; then it is fetched again.
    app.clock.advance(5 * 60 + 1);
    assert_eq!(app.get(&app_path(&id)).await.status, 200);
    assert_eq!(docs.hits(), after_failure + 2);

    // A long max-age is honoured up to a day.
    let long = docs.url("/long.json");
    let mut doc = Doc::json(json!({"client_id": long, "redirect_uris": [REDIRECT]}));
    doc.headers.push(("cache-control", "max-age=604800".into()));
    docs.serve("/long.json", doc);
    assert_eq!(app.get(&app_path(&long)).await.status, 200);
    let hits = docs.hits();
    app.clock.advance(23 * 3600);
    assert_eq!(app.get(&app_path(&long)).await.status, 200);
    assert_eq!(docs.hits(), hits, "within a day: cached");
    app.clock.advance(2 * 3600);
    assert_eq!(app.get(&app_path(&long)).await.status, 200);
    assert_eq!(docs.hits(), hits + 1, "past a day: fetched again");
}

#[tokio::test]
async fn every_unusable_document_is_refused() {
    let docs = DocServer::start().await;
    let app = app_for(&docs, |c| c.limits.max_source_failures = 1000).await;
    let url = |p: &str| docs.url(p);
    let good = |p: &str| json!({"client_id": url(p), "redirect_uris": [REDIRECT]});
    let mut big = good("/big");
    big["client_name"] = json!("x".repeat(6000));
    let cases: Vec<(&str, Doc)> = vec![
        (
            "/redirect",
            Doc {
                status: 302,
                body: String::new(),
                headers: vec![("location", url("/ok"))],
            },
        ),
        (
            "/not-found",
            Doc {
                status: 404,
                body: "{}".into(),
                headers: vec![],
            },
        ),
        (
            "/created",
            Doc {
                status: 201,
                body: good("/created").to_string(),
                headers: vec![],
            },
        ),
        ("/big", Doc::json(big)),
        (
            "/not-json",
            Doc {
                status: 200,
                body: "<html>".into(),
                headers: vec![],
            },
        ),
        (
            "/wrong-id",
            Doc::json(json!({"client_id": url("/other"), "redirect_uris": [REDIRECT]})),
        ),
        ("/no-id", Doc::json(json!({"redirect_uris": [REDIRECT]}))),
        (
            "/no-redirects",
            Doc::json(json!({"client_id": url("/no-redirects"), "redirect_uris": []})),
        ),
        (
            "/js-redirect",
            Doc::json(
                json!({"client_id": url("/js-redirect"), "redirect_uris": ["javascript:alert(1)"]}),
            ),
        ),
        (
            "/secret",
            Doc::json(
                json!({"client_id": url("/secret"), "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_basic"}),
            ),
        ),
        (
            "/jwt",
            Doc::json(
                json!({"client_id": url("/jwt"), "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt"}),
            ),
        ),
        (
            "/grants",
            Doc::json(
                json!({"client_id": url("/grants"), "redirect_uris": [REDIRECT], "grant_types": ["client_credentials"]}),
            ),
        ),
    ];
    docs.serve("/ok", Doc::json(good("/ok")));
    for (path, doc) in cases {
        docs.serve(path, doc);
        let r = app.get(&app_path(&url(path))).await;
        assert_eq!(
            (r.status, r.error()),
            (400, "invalid_client"),
            "{path}: {:?}",
            r.body
        );
    }
    // Ids that are not usable URLs are refused without a fetch.
    let hits = docs.hits();
    for id in [
        format!("{}/a/../ok", docs.origin),
        format!("{}/ok?x=1", docs.origin),
        format!("{}/ok#f", docs.origin),
        docs.origin.clone(),
        format!("https://u:p@localhost:{}/ok", docs.port),
    ] {
        let r = app.get(&app_path(&id)).await;
        assert!(r.status == 400 || r.status == 404, "{id}: {}", r.status);
        assert!(
            r.body["error"] == "invalid_client" || r.body["error"] == "not_found",
            "{id}"
        );
    }
    assert_eq!(docs.hits(), hits, "none of those was fetched");
    assert_eq!(
        app.get(&app_path(&url("/ok"))).await.status,
        200,
        "the server itself is fine"
    );
}

#[tokio::test]
async fn private_and_special_addresses_are_never_fetched() {
    let docs = DocServer::start().await;
    let id = docs.serve_client("/c.json", REDIRECT);
    // Trusting the CA but not loopback: the name resolves to 127.0.0.1 and is refused.
    let ca = docs.ca_file.path().to_owned();
    let app = spawn_app_with(move |c| c.cimd.cimd_extra_root_ca = Some(ca)).await;
    let r = app.get(&app_path(&id)).await;
    assert_eq!((r.status, r.error()), (400, "invalid_client"));
    // The same words as for an unreachable host: which internal names
    // resolve is not for a client to learn.
    let unreachable = app
        .get(&app_path("https://unreachable.invalid/c.json"))
        .await;
    assert_eq!(r.body, unreachable.body);
    let by_ip = format!("https://127.0.0.1:{}/c.json", docs.port);
    assert_eq!(
        app.get(&app_path(&by_ip)).await.error(),
        "invalid_client",
        "an address literal too"
    );
    for literal in [
        "https://10.0.0.1/c",
        "https://169.254.169.254/latest",
        "https://[::1]/c",
        "https://[fd00::1]/c",
        "https://[fec0::1]/c",
        "https://[64:ff9b:1::a00:1]/c",
        "https://[::a00:1]/c",
        "https://0.0.0.0/c",
    ] {
        let r = app.get(&app_path(literal)).await;
        assert_eq!(r.error(), "invalid_client", "{literal}");
    }
    assert_eq!(docs.hits(), 0, "no connection was made");
}

#[tokio::test]
async fn operators_allow_and_block_hosts() {
    let docs = DocServer::start().await;
    let id = docs.serve_client("/c.json", REDIRECT);
    let blocked = app_for(&docs, |c| {
        c.cimd.cimd_blocked_hosts = vec!["localhost".into()]
    })
    .await;
    assert_eq!(blocked.get(&app_path(&id)).await.error(), "invalid_client");
    let elsewhere = app_for(&docs, |c| {
        c.cimd.cimd_allowed_hosts = vec!["*.trusted.example".into()]
    })
    .await;
    assert_eq!(
        elsewhere.get(&app_path(&id)).await.error(),
        "invalid_client"
    );
    assert_eq!(docs.hits(), 0);
    let allowed = app_for(&docs, |c| {
        c.cimd.cimd_allowed_hosts = vec!["localhost".into()]
    })
    .await;
    assert_eq!(allowed.get(&app_path(&id)).await.status, 200);
    let off = app_for(&docs, |c| c.cimd.cimd_enabled = false).await;
    assert_eq!(
        off.get(&app_path(&id)).await.status,
        404,
        "turned off: an unknown client"
    );
    let meta = off.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(meta.body["client_id_metadata_document_supported"], false);
}

#[tokio::test]
async fn an_untrusted_certificate_is_unreachable() {
    let docs = DocServer::start().await;
    let id = docs.serve_client("/c.json", REDIRECT);
    let app = spawn_app_with(|c| c.cimd.cimd_allow_loopback = true).await;
    let r = app.get(&app_path(&id)).await;
    assert_eq!(r.error(), "invalid_client");
    assert!(r.body["error_description"]
        .as_str()
        .unwrap()
        .contains("could not be fetched"));
}

/// Metadata-document clients are rows anyone can make, like registrations:
/// they count against the same cap.
#[tokio::test]
async fn documents_count_against_the_client_cap() {
    let docs = DocServer::start().await;
    let id = docs.serve_client("/capped.json", REDIRECT);
    let app = app_for(&docs, |c| c.registration.max_dynamic_clients = 1).await;
    let r = app
        .post_json_backend(
            "/api/oauth/register",
            &json!({"redirect_uris": ["http://127.0.0.1:1/cb"]}),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = app.get(&app_path(&id)).await;
    assert_eq!((r.status, r.error()), (503, "temporarily_unavailable"));
    assert_eq!(docs.hits(), 0, "not even fetched");
}
