//! `spawn_app()` and a `TestApp` with one method per endpoint. Endpoint
//! methods answer in `shared`'s own types (`Answer<TokenResponse>` and so
//! on), so a test reads the wire the way a client would; `Reply` is kept for
//! tests about raw HTTP (malformed bodies, headers of any answer).

#![allow(dead_code)] // each test module uses a different subset

use api::clock::ManualClock;
use api::config::Config;
use api::crypto::{hash_secret, random_id, random_token, HashedSecret, CLIENT_SECRET_PREFIX};
use api::domain::client::GrantType;
use api::state::AppState;
use api::store::apps::{insert_client, NewClient};
use api::store::Db;
use api::Application;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use shared::{
    AuthorizeResponse, ClientId, ErrorBody, IntrospectResponse, Me, RedirectUri, ScopeSet,
    TokenResponse,
};
use std::sync::Arc;
use std::sync::OnceLock;

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const PASSWORD: &str = "correct horse battery";
pub const REDIRECT: &str = "http://localhost:8080/callback";

/// The hashed secret of every test app, hashed once per test process: scrypt
/// costs tens of milliseconds, and the secret's value does not matter here.
fn test_secret() -> &'static (String, HashedSecret) {
    static SECRET: OnceLock<(String, HashedSecret)> = OnceLock::new();
    SECRET.get_or_init(|| {
        let secret = random_token(CLIENT_SECRET_PREFIX);
        let hashed = hash_secret(&secret);
        (secret, hashed)
    })
}

/// Which database the suite runs on.
pub fn backend() -> &'static str {
    static B: OnceLock<String> = OnceLock::new();
    B.get_or_init(|| std::env::var("TEST_BACKEND").unwrap_or_else(|_| "sqlite".into()))
}

/// A fresh, empty database URL for one test. PostgreSQL gets a schema of its
/// own in the configured database; SQLite a file in a temp dir.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match backend() {
        "sqlite" => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/oauth.db?mode=rwc", dir.path().display());
            (url, Some(dir))
        }
        "postgres" => {
            let base = std::env::var("TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let schema = format!("t_{}", random_id());
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
                .await
                .unwrap_or_else(|e| {
                    panic!("TEST_BACKEND=postgres but PostgreSQL at {base} is unreachable: {e}")
                });
            sqlx::query(&format!("create schema {schema}"))
                .execute(&mut conn)
                .await
                .expect("create schema");
            let sep = if base.contains('?') { '&' } else { '?' };
            (
                format!("{base}{sep}options=-c%20search_path%3D{schema}"),
                None,
            )
        }
        other => panic!("unknown TEST_BACKEND {other:?} (expected sqlite or postgres)"),
    }
}

/// A registered app as a test client sees it.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub client_id: String,
    /// None for a public client.
    pub secret: Option<String>,
    pub redirect_uri: String,
}

/// Options for `register_app`.
#[derive(Debug, Clone)]
pub struct AppSpec {
    pub scopes: &'static str,
    pub redirect_uris: Vec<String>,
    pub public: bool,
    pub grant_types: Vec<GrantType>,
}

impl Default for AppSpec {
    fn default() -> Self {
        AppSpec {
            scopes: "EXECUTE_GRAPH READ_GRAPH",
            redirect_uris: vec![REDIRECT.into()],
            public: false,
            grant_types: GrantType::ALL.to_vec(),
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub clock: ManualClock,
    /// A browser: keeps the session cookie.
    pub browser: reqwest::Client,
    /// An app's back end: no cookies.
    pub http: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server on a fresh database with `Config::for_tests` (nothing from the
/// environment), changed by `configure`.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let (url, dir) = fresh_database().await;
    let mut config = Config::for_tests(&url);
    configure(&mut config);
    start(config, dir).await
}

impl TestApp {
    /// A second server on the same database, as behind a load balancer.
    pub async fn another_instance(&self) -> TestApp {
        let mut config = (*self.state.config).clone();
        config.bind = "127.0.0.1:0".parse().expect("addr");
        start(config, None).await
    }
}

pub async fn start(config: Config, dir: Option<tempfile::TempDir>) -> TestApp {
    let db = Db::connect_with(
        &config.database.database_url,
        config.pool_size(),
        std::time::Duration::from_secs(config.database.database_timeout.max(1)),
    )
    .await
    .expect("database");
    let clock = ManualClock::new(1_800_000_000);
    let app = Application::build_with(config, db, Arc::new(clock.clone()))
        .await
        .expect("bind");
    let addr = app.local_addr().expect("addr");
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        base: format!("http://{addr}"),
        state,
        clock,
        browser: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        _dir: dir,
    }
}

/// A response reduced to what tests look at, the body as untyped JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

/// Sends a request and reads its reply.
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    Reply::from(request.send().await.expect("request")).await
}

impl Reply {
    pub async fn from(r: reqwest::Response) -> Reply {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Asserts the one error shape and returns the error code.
    pub fn error(&self) -> &str {
        let obj = self
            .body
            .as_object()
            .unwrap_or_else(|| panic!("not a JSON object: {:?}", self.body));
        assert!(
            obj.get("error_description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty()),
            "{obj:?}"
        );
        assert_eq!(obj.len(), 2, "only error and error_description: {obj:?}");
        obj["error"].as_str().expect("error is a string")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as a `shared` type (or the error body, on failure).
    pub fn typed<T: DeserializeOwned>(self) -> Answer<T> {
        let body = if (200..300).contains(&self.status) {
            Ok(serde_json::from_value(self.body.clone())
                .unwrap_or_else(|e| panic!("not the expected type ({e}): {:?}", self.body)))
        } else {
            self.error();
            Err(serde_json::from_value(self.body.clone()).expect("the error shape"))
        };
        Answer {
            status: self.status,
            headers: self.headers,
            body,
        }
    }
}

/// An endpoint's answer in `shared`'s types: the success body, or the one
/// error shape.
#[derive(Debug)]
pub struct Answer<T> {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Result<T, ErrorBody>,
}

impl<T: std::fmt::Debug> Answer<T> {
    /// The success body; panics with the error otherwise.
    pub fn ok(self) -> T {
        match self.body {
            Ok(v) => v,
            Err(e) => panic!("expected success, got {}: {e:?}", self.status),
        }
    }

    /// The success body, by reference.
    pub fn value(&self) -> &T {
        match &self.body {
            Ok(v) => v,
            Err(e) => panic!("expected success, got {}: {e:?}", self.status),
        }
    }

    /// The error code; panics on success.
    pub fn error(&self) -> &str {
        match &self.body {
            Ok(v) => panic!("expected an error, got {}: {v:?}", self.status),
            Err(e) => &e.error,
        }
    }

    pub fn description(&self) -> &str {
        match &self.body {
            Ok(v) => panic!("expected an error, got {}: {v:?}", self.status),
            Err(e) => &e.error_description,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Answer<AuthorizeResponse> {
    /// The query parameters of `redirect_url`.
    pub fn redirect_params(&self) -> Vec<(String, String)> {
        let url = url::Url::parse(&self.value().redirect_url).expect("redirect_url is a URL");
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn redirect_param(&self, name: &str) -> Option<String> {
        self.redirect_params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    pub fn redirect_url(&self) -> &str {
        &self.value().redirect_url
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Reply {
        send(self.browser.get(self.url(path))).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        send(self.browser.post(self.url(path)).json(body)).await
    }

    /// Sends raw bytes with a content type, through the browser client.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let r = self
            .browser
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await;
        Reply::from(r.expect("request")).await
    }

    /// Signs up (and so signs in) the browser.
    pub async fn signup(&self, email: &str) -> Answer<Me> {
        self.post_json(
            "/api/auth/signup",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await
        .typed()
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer<Me> {
        self.post_json(
            "/api/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
        .typed()
    }

    pub async fn me(&self) -> Answer<Me> {
        self.get("/api/auth/me").await.typed()
    }

    pub async fn register_app(&self, spec: AppSpec) -> TestClient {
        let (secret, hashed) = test_secret();
        let client_id = random_token("agpt_client_");
        insert_client(
            &self.state.db,
            &NewClient {
                oauth_app_id: random_id(),
                client_id: ClientId::parse(&client_id).expect("client id"),
                secret: (!spec.public).then(|| hashed.clone()),
                name: "Test App".into(),
                description: "An app for tests".into(),
                logo_url: Some("https://example.com/logo.png".into()),
                redirect_uris: spec
                    .redirect_uris
                    .iter()
                    .map(|u| RedirectUri::parse(u).expect("redirect uri"))
                    .collect(),
                allowed_scopes: ScopeSet::parse(spec.scopes).expect("scopes"),
                grant_types: spec.grant_types.clone(),
                owner_id: None,
                registration: shared::Registration::Operator,
                client_uri: None,
                policy_uri: None,
                tos_uri: None,
                application_type: None,
                metadata_expires_at: None,
                post_logout_redirect_uris: Vec::new(),
                id_token_alg: None,
            },
            self.state.now(),
        )
        .await
        .expect("insert app");
        TestClient {
            client_id,
            secret: (!spec.public).then(|| secret.clone()),
            redirect_uri: spec.redirect_uris[0].clone(),
        }
    }

    pub async fn default_app(&self) -> TestClient {
        self.register_app(AppSpec::default()).await
    }

    /// Disables (or re-enables) an app straight in the store, as the CLI does.
    pub async fn set_disabled(&self, client: &TestClient, disabled: bool) {
        let now = self.state.now();
        api::store::apps::set_disabled(
            &self.state.db,
            &ClientId::parse(&client.client_id).expect("client id"),
            disabled.then_some(now),
            now,
        )
        .await
        .expect("set_disabled");
    }

    /// The standard authorization request for `client`, as JSON, approved.
    pub fn authorize_body(&self, client: &TestClient) -> Value {
        json!({
            "client_id": client.client_id,
            "redirect_uri": client.redirect_uri,
            "scope": "EXECUTE_GRAPH READ_GRAPH",
            "state": "xyz-state",
            "code_challenge": CHALLENGE,
            "code_challenge_method": "S256",
            "response_type": "code",
            "decision": "approve",
        })
    }

    pub async fn authorize(&self, body: &Value) -> Answer<AuthorizeResponse> {
        self.post_json("/api/oauth/authorize", body).await.typed()
    }

    /// Signs a new user in (unless one is) and gets a code for `client`.
    pub async fn get_code(&self, client: &TestClient) -> String {
        if self.get("/api/auth/me").await.status != 200 {
            self.signup(&format!("{}@example.com", random_id()))
                .await
                .ok();
        }
        let r = self.authorize(&self.authorize_body(client)).await;
        r.redirect_param("code").expect("code in redirect")
    }

    /// Posts a form to an OAuth endpoint with client_secret_basic.
    pub async fn post_form_basic(
        &self,
        path: &str,
        client: &TestClient,
        form: &[(&str, &str)],
    ) -> Reply {
        send(
            self.http
                .post(self.url(path))
                .basic_auth(&client.client_id, client.secret.as_deref())
                .form(form),
        )
        .await
    }

    /// Posts a form with the client's credentials in the body (client_secret_post, or `none` for public clients).
    pub async fn post_form(&self, path: &str, client: &TestClient, form: &[(&str, &str)]) -> Reply {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("client_id", &client.client_id));
        if let Some(s) = &client.secret {
            fields.push(("client_secret", s));
        }
        send(self.http.post(self.url(path)).form(&fields)).await
    }

    /// Posts JSON from an app's back end (no cookies).
    pub async fn post_json_backend(&self, path: &str, body: &Value) -> Reply {
        send(self.http.post(self.url(path)).json(body)).await
    }

    /// Exchanges a code with the credentials in the form body (how public
    /// clients, such as URL-named ones, authenticate).
    pub async fn exchange_in_body(&self, client: &TestClient, code: &str) -> Answer<TokenResponse> {
        self.post_form(
            "/api/oauth/token",
            client,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &client.redirect_uri),
                ("code_verifier", VERIFIER),
            ],
        )
        .await
        .typed()
    }

    /// Exchanges a code (form body, HTTP Basic).
    pub async fn exchange(&self, client: &TestClient, code: &str) -> Answer<TokenResponse> {
        self.post_form_basic(
            "/api/oauth/token",
            client,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &client.redirect_uri),
                ("code_verifier", VERIFIER),
            ],
        )
        .await
        .typed()
    }

    /// A full authorization: code exchanged for tokens.
    pub async fn tokens(&self, client: &TestClient) -> TokenResponse {
        let code = self.get_code(client).await;
        self.exchange(client, &code).await.ok()
    }

    pub async fn refresh(&self, client: &TestClient, refresh_token: &str) -> Answer<TokenResponse> {
        self.post_form_basic(
            "/api/oauth/token",
            client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
        .typed()
    }

    pub async fn introspect(&self, client: &TestClient, token: &str) -> Answer<IntrospectResponse> {
        self.post_form_basic("/api/oauth/introspect", client, &[("token", token)])
            .await
            .typed()
    }

    pub async fn is_active(&self, client: &TestClient, token: &str) -> bool {
        self.introspect(client, token).await.ok().active
    }

    pub async fn revoke(&self, client: &TestClient, token: &str) -> Reply {
        self.post_form_basic("/api/oauth/revoke", client, &[("token", token)])
            .await
    }

    /// Counts rows of a table, straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(&format!("select count(*) as n from {table}"))
            .fetch_one(&self.state.db.read)
            .await
            .expect("count")
            .try_get::<i64, _>("n")
            .expect("n")
    }
}

/// The token pair of a token response, as plain strings for further requests.
pub fn pair(t: &TokenResponse) -> (&str, &str) {
    (t.access_token.secret(), t.refresh_token.secret())
}
