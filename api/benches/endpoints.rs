//! Throughput of the hot endpoints against the real router on loopback, and
//! the cost that the verified-secret memory saves: `cargo bench -p api`.
//! (A benchmark, not a test: it asserts nothing and prints numbers.)

use api::clock::SystemClock;
use api::config::Config;
use api::crypto::{self, random_id, random_token, sha256_hex};
use api::domain::pkce::s256_challenge;
use api::store::apps::{insert_app, NewApp, DEFAULT_GRANT_TYPES};
use api::store::grants::{create_authorization, NewAuthorization};
use api::store::users::create_user;
use api::store::Db;
use api::{AppState, Application};
use shared::ScopeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 8;
const RUN_FOR: Duration = Duration::from_secs(3);

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::defaults();
    config.bind = "127.0.0.1:0".parse().expect("addr");
    config.database_url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let db = Db::connect(&config.database_url, 8).await.expect("db");
    let state = AppState::new(db.clone(), config, Arc::new(SystemClock));
    let app = Application::with_state(state.clone()).await.expect("bind");
    let base = format!("http://{}", app.local_addr().expect("addr"));
    tokio::spawn(app.run_until(std::future::pending()));

    let secret = random_token(crypto::CLIENT_SECRET_PREFIX);
    let hashed = crypto::hash_secret(&secret);
    let t = Instant::now();
    for _ in 0..5 {
        assert!(crypto::verify_secret(&secret, &hashed));
    }
    println!(
        "scrypt verification (N=2^14, r=8, p=1): {:.1} ms each",
        t.elapsed().as_secs_f64() * 1000.0 / 5.0
    );

    let client_id = random_token(crypto::CLIENT_ID_PREFIX);
    let oauth_app_id = random_id();
    insert_app(
        &db,
        &NewApp {
            oauth_app_id: oauth_app_id.clone(),
            client_id: client_id.clone(),
            secret: Some(hashed),
            name: "Bench".into(),
            description: "bench".into(),
            logo_url: None,
            redirect_uris: vec!["http://localhost/cb".into()],
            allowed_scopes: ScopeSet::parse_csv("READ_GRAPH").expect("scope"),
            grant_types: DEFAULT_GRANT_TYPES
                .iter()
                .map(|g| (*g).to_owned())
                .collect(),
            owner_id: None,
        },
        state.now(),
    )
    .await
    .expect("app");
    let user_id = create_user(
        &db,
        "bench@example.com",
        &crypto::hash_secret("password"),
        state.now(),
    )
    .await
    .expect("user");
    let http = reqwest::Client::new();

    // Codes made straight in the database, so the benchmark measures the token endpoint alone.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let make_code = move || {
        let (db, user_id, app_id) = (db.clone(), user_id.clone(), oauth_app_id.clone());
        async move {
            let code = random_token("agpt_code_");
            let now = state_now();
            create_authorization(
                &db,
                &NewAuthorization {
                    grant_id: &random_id(),
                    user_id: &user_id,
                    oauth_app_id: &app_id,
                    scopes: "READ_GRAPH",
                    code_hash: &sha256_hex(&code),
                    redirect_uri: "http://localhost/cb",
                    code_challenge: &s256_challenge(verifier),
                    code_challenge_method: "S256",
                    now,
                    code_expires_at: now + 600,
                },
            )
            .await
            .expect("code");
            code
        }
    };
    let code = make_code().await;
    let tokens: serde_json::Value = http
        .post(format!("{base}/api/oauth/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://localhost/cb"),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("exchange")
        .json()
        .await
        .expect("json");
    let access = tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();

    let (base2, client_id2, secret2) = (base.clone(), client_id.clone(), secret.clone());
    let introspect = move |http: reqwest::Client| {
        let (base, client_id, secret, access) = (
            base2.clone(),
            client_id2.clone(),
            secret2.clone(),
            access.clone(),
        );
        async move {
            let r = http
                .post(format!("{base}/api/oauth/introspect"))
                .basic_auth(&client_id, Some(&secret))
                .form(&[("token", access.as_str())])
                .send()
                .await
                .expect("introspect");
            assert!(r.status().is_success());
        }
    };
    report(
        "introspect (secret remembered after first scrypt)",
        run(&http, introspect).await,
    );

    let exchange = move |http: reqwest::Client| {
        let (base, client_id, secret, make_code) = (
            base.clone(),
            client_id.clone(),
            secret.clone(),
            make_code.clone(),
        );
        async move {
            let code = make_code().await;
            let r = http
                .post(format!("{base}/api/oauth/token"))
                .basic_auth(&client_id, Some(&secret))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", "http://localhost/cb"),
                    ("code_verifier", verifier),
                ])
                .send()
                .await
                .expect("token");
            assert!(r.status().is_success());
        }
    };
    report(
        "code insert + token exchange (SQLite)",
        run(&http, exchange).await,
    );
}

fn state_now() -> i64 {
    use api::clock::Clock;
    SystemClock.now()
}

/// Runs `op` from CONCURRENCY tasks for RUN_FOR; returns (requests, elapsed).
async fn run<F, Fut>(http: &reqwest::Client, op: F) -> (usize, Duration)
where
    F: Fn(reqwest::Client) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let start = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (op, http) = (op.clone(), http.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while start.elapsed() < RUN_FOR {
                    op(http.clone()).await;
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    (total, start.elapsed())
}

fn report(name: &str, (n, elapsed): (usize, Duration)) {
    println!(
        "{name}: {:.0} requests/s ({n} in {:.1} s, {CONCURRENCY} concurrent)",
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}
