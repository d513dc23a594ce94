//! Failure limits hold for the deployment (counted in the database: every
//! instance sees them, a restart keeps them), per account and client and per
//! source address; checked before any scrypt work.

use crate::helpers::{send, spawn_app_with, start, TestApp, TestClient, PASSWORD};
use serde_json::json;

async fn login_from(app: &TestApp, email: &str, password: &str, forwarded: Option<&str>) -> u16 {
    let mut req = app
        .http
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": email, "password": password}));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    send(req).await.status
}

#[tokio::test]
async fn a_lockout_is_shared_by_every_instance_and_survives_a_restart() {
    let a = spawn_app_with(|c| c.limits.max_auth_failures = 3).await;
    let b = a.another_instance().await;
    a.signup("ada@example.com").await.ok();
    for app in [&a, &b, &a] {
        assert_eq!(
            login_from(app, "ada@example.com", "wrong password", None).await,
            401
        );
    }
    // The third failure (on a, after one on b) locked the account everywhere.
    let r = b.login("ada@example.com", PASSWORD).await;
    assert_eq!((r.status, r.error()), (429, "too_many_requests"));
    assert!(r.header("retry-after").is_some());
    // A new process on the same database still refuses.
    let restarted = start((*a.state.config).clone(), None).await;
    assert_eq!(
        login_from(&restarted, "ada@example.com", PASSWORD, None).await,
        429
    );
    // Until the window ends.
    b.clock.advance(b.state.config.limits.auth_failure_window);
    assert_eq!(b.login("ada@example.com", PASSWORD).await.status, 200);
}

#[tokio::test]
async fn password_spraying_from_one_source_is_stopped() {
    let app = spawn_app_with(|c| {
        c.limits.max_source_failures = 10;
        c.limits.max_signups_per_source = 100;
    })
    .await;
    for i in 0..12 {
        app.signup(&format!("person{i}@example.com")).await.ok();
    }
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses
            .push(login_from(&app, &format!("person{i}@example.com"), "Summer2026!", None).await);
    }
    assert_eq!(&statuses[..10], &[401; 10], "each account failed only once");
    assert_eq!(
        &statuses[10..],
        &[429, 429],
        "but the source failed ten times"
    );
    // Even the right password is refused from that source now; another
    // source is not affected... but only a trusted proxy can say so.
    assert_eq!(
        login_from(&app, "person11@example.com", PASSWORD, None).await,
        429
    );
    assert_eq!(
        login_from(&app, "person11@example.com", PASSWORD, Some("198.51.100.7")).await,
        429,
        "X-Forwarded-For from an untrusted peer is ignored"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_source() {
    let app = spawn_app_with(|c| {
        c.limits.max_source_failures = 3;
        c.limits.max_signups_per_source = 100;
        c.transport.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    app.signup("ada@example.com").await.ok();
    app.signup("bob@example.com").await.ok();
    for _ in 0..3 {
        let s = login_from(&app, "ada@example.com", "wrong", Some("203.0.113.1")).await;
        assert_eq!(s, 401);
    }
    assert_eq!(
        login_from(&app, "bob@example.com", "wrong", Some("203.0.113.1")).await,
        429
    );
    assert_eq!(
        login_from(&app, "bob@example.com", PASSWORD, Some("203.0.113.2")).await,
        200,
        "another client behind the same proxy"
    );
    assert_eq!(
        login_from(
            &app,
            "bob@example.com",
            PASSWORD,
            Some("203.0.113.1, 203.0.113.2")
        )
        .await,
        200,
        "the client's own claim (left of what the proxy saw) is not believed"
    );
}

#[tokio::test]
async fn sign_ups_are_limited_per_source() {
    let app = spawn_app_with(|c| c.limits.max_signups_per_source = 3).await;
    for i in 0..3 {
        assert_eq!(app.signup(&format!("p{i}@example.com")).await.status, 201);
    }
    let r = app.signup("p3@example.com").await;
    assert_eq!((r.status, r.error()), (429, "too_many_requests"));
    assert_eq!(app.count("app_user").await, 3);
    app.clock.advance(app.state.config.limits.signup_window);
    assert_eq!(app.signup("p3@example.com").await.status, 201);
}

#[tokio::test]
async fn client_authentication_failures_are_limited_per_source_too() {
    let app = spawn_app_with(|c| {
        c.limits.max_source_failures = 4;
        c.limits.max_auth_failures = 100;
    })
    .await;
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "agpt_rt_x"),
    ];
    for i in 0..4 {
        let guess = TestClient {
            client_id: format!("agpt_client_guess{i}"),
            secret: Some("agpt_secret_guess".into()),
            redirect_uri: String::new(),
        };
        assert_eq!(
            app.post_form_basic("/api/oauth/token", &guess, &form)
                .await
                .status,
            401
        );
    }
    let client = app.default_app().await;
    let r = app
        .post_form_basic("/api/oauth/token", &client, &form)
        .await;
    assert_eq!(
        (r.status, r.error()),
        (429, "too_many_requests"),
        "a source that guessed client ids waits, whatever it presents next"
    );
}

#[tokio::test]
async fn a_flood_of_unknown_client_ids_does_not_unlock_an_account() {
    let app = spawn_app_with(|c| c.limits.max_source_failures = 1_000_000).await;
    app.signup("ada@example.com").await.ok();
    for _ in 0..5 {
        login_from(&app, "ada@example.com", "wrong", None).await;
    }
    assert_eq!(
        login_from(&app, "ada@example.com", PASSWORD, None).await,
        429
    );
    // The counts are rows, not an in-memory table with room for so many:
    // however many made-up names arrive, none evicts the account's count.
    let now = app.state.now();
    let flood: Vec<(String, i64)> = (0..20_000)
        .map(|i| {
            (
                api::domain::limits::Subject::Client(
                    &format!("agpt_client_{i}"),
                    std::net::Ipv4Addr::LOCALHOST.into(),
                )
                .key(),
                300,
            )
        })
        .collect();
    for chunk in flood.chunks(2_000) {
        api::store::limits::record(&app.state.db, chunk.to_vec(), now)
            .await
            .unwrap();
    }
    assert!(app.count("auth_failure").await > 20_000);
    assert_eq!(
        login_from(&app, "ada@example.com", PASSWORD, None).await,
        429
    );
}

#[tokio::test]
async fn expired_windows_are_swept() {
    let app = spawn_app_with(|_| {}).await;
    app.signup("ada@example.com").await.ok();
    login_from(&app, "ada@example.com", "wrong", None).await;
    assert!(
        app.count("auth_failure").await >= 2,
        "account + source, and the sign-up"
    );
    app.clock.advance(app.state.config.limits.signup_window + 1);
    let c = &app.state.config;
    app.state
        .db
        .delete_expired(
            app.state.now(),
            c.tokens.auth_code_ttl,
            c.limits.auth_failure_window.max(c.limits.signup_window),
            c.registration.unused_registration_ttl,
        )
        .await
        .unwrap();
    assert_eq!(app.count("auth_failure").await, 0);
}

/// Wrong secrets from one source lock out that source's attempts for the
/// client, not the client: the right secret from elsewhere still works, on
/// an instance that never saw it before (nothing remembered to help it).
#[tokio::test]
async fn nobody_can_lock_a_confidential_client_out() {
    let app = spawn_app_with(|c| {
        c.limits.max_auth_failures = 5;
        c.transport.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let client = app.default_app().await;
    let code = app.get_code(&client).await;
    let token_from = |app: &TestApp, secret: &str, source: &str| {
        let req = app
            .http
            .post(app.url("/api/oauth/token"))
            .basic_auth(&client.client_id, Some(secret))
            .header("x-forwarded-for", source)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", client.redirect_uri.as_str()),
                ("code_verifier", crate::helpers::VERIFIER),
            ]);
        async move { send(req).await }
    };
    for _ in 0..5 {
        let r = token_from(&app, "agpt_secret_wrong", "203.0.113.66").await;
        assert_eq!(r.status, 401);
    }
    let r = token_from(&app, "agpt_secret_wrong", "203.0.113.66").await;
    assert_eq!((r.status, r.error()), (429, "too_many_requests"));

    let fresh = app.another_instance().await;
    let r = token_from(&fresh, client.secret.as_deref().unwrap(), "198.51.100.10").await;
    assert_eq!(
        r.status, 200,
        "the right secret from elsewhere: {:?}",
        r.body
    );
}

/// A parallel burst of guesses gets exactly the allowed number of tries:
/// each attempt is counted in the same statement that checks it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_burst_gets_no_more_guesses_than_a_patient_one() {
    let app = spawn_app_with(|c| {
        c.limits.max_auth_failures = 5;
        c.limits.hash_queue = 1000;
    })
    .await;
    app.signup("burst@example.com").await.ok();
    let guesses: Vec<String> = (0..30).map(|i| format!("guess {i}")).collect();
    let statuses = futures::future::join_all(
        guesses
            .iter()
            .map(|g| login_from(&app, "burst@example.com", g, None)),
    )
    .await;
    let tried = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((tried, refused), (5, 25), "{statuses:?}");
}

/// IPv6 sign-ups are counted per /64 and per /48 (16 /64s' worth), and every
/// sign-up against a deployment-wide budget.
#[tokio::test]
async fn sign_ups_are_limited_per_site_and_for_the_deployment() {
    let app = spawn_app_with(|c| {
        c.limits.max_signups_per_source = 1;
        c.limits.max_signups_global = 20;
        c.transport.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let signup = |i: usize, from: String| {
        let req = app
            .http
            .post(app.url("/api/auth/signup"))
            .header("x-forwarded-for", from)
            .json(&json!({"email": format!("p{i}@example.com"), "password": PASSWORD}));
        async move { send(req).await.status }
    };
    // 16 different /64s of one /48: the 17th is over the site's budget.
    for i in 0..16 {
        assert_eq!(
            signup(i, format!("2001:db8:1:{i:x}::1")).await,
            201,
            "/64 number {i}"
        );
    }
    assert_eq!(
        signup(16, "2001:db8:1:ff::1".into()).await,
        429,
        "the /48 is full"
    );
    // Elsewhere, until the deployment's budget (20) is spent.
    for i in 17..21 {
        assert_eq!(signup(i, format!("198.51.100.{i}")).await, 201);
    }
    assert_eq!(
        signup(21, "203.0.113.9".into()).await,
        429,
        "the deployment is full"
    );
}
