//! What the CLI tests share: a fresh database per test (SQLite file, or a
//! PostgreSQL schema when `TEST_DATABASE_URL_PG` is set), the `oauth-admin`
//! binary pointed at it, and an in-process API to run flows against.

use api::crypto::random_id;
use api::domain::pkce::s256_challenge;
use serde_json::{json, Value};
use std::process::Output;

/// A database no other test sees; removed when dropped.
pub struct TestDb {
    pub url: String,
    /// Kept to delete the SQLite file's directory on drop.
    _dir: Option<tempfile::TempDir>,
    /// `(server URL, schema)` of a PostgreSQL schema to drop.
    pg: Option<(String, String)>,
}

impl TestDb {
    /// PostgreSQL when `TEST_BACKEND=postgres` (with `TEST_DATABASE_URL_PG`), SQLite otherwise.
    pub fn new() -> TestDb {
        if std::env::var("TEST_BACKEND").as_deref() == Ok("postgres") {
            TestDb::postgres().expect("TEST_BACKEND=postgres needs TEST_DATABASE_URL_PG")
        } else {
            TestDb::sqlite()
        }
    }

    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/oauth.db?mode=rwc", dir.path().display());
        TestDb {
            url,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh schema on `TEST_DATABASE_URL_PG`, or None (the test is skipped) when unset.
    /// The schema is chosen by `search_path` in the URL's `options`, which
    /// sqlx, libpq (psql) and the server all honour.
    pub fn postgres() -> Option<TestDb> {
        let server = std::env::var("TEST_DATABASE_URL_PG").ok()?;
        let schema = format!("t_{}", random_id());
        psql(&server, &format!("create schema {schema}"));
        let sep = if server.contains('?') { '&' } else { '?' };
        Some(TestDb {
            url: format!("{server}{sep}options=-c%20search_path%3D{schema}"),
            _dir: None,
            pg: Some((server, schema)),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, schema)) = &self.pg {
            let _ = std::process::Command::new("psql")
                .args([
                    server.as_str(),
                    "-qc",
                    &format!("drop schema {schema} cascade"),
                ])
                .output();
        }
    }
}

/// Runs a SQL script on a SQLite test database (sqlx, several statements at once).
pub async fn run_sqlite_script(db: &TestDb, sql: &str) -> Result<(), sqlx::Error> {
    let pool = sqlx::SqlitePool::connect(&db.url).await?;
    let result = sqlx::raw_sql(sql).execute(&pool).await.map(|_| ());
    pool.close().await;
    result
}

/// Runs `sql` with psql, stopping at the first error; returns whether it succeeded and stderr.
pub fn psql_script(url: &str, sql: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = std::process::Command::new("psql")
        .args([url, "-q", "-v", "ON_ERROR_STOP=1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("psql runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(sql.as_bytes())
        .expect("write sql");
    let out = child.wait_with_output().expect("psql finishes");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn psql(url: &str, sql: &str) {
    let (ok, err) = psql_script(url, sql);
    assert!(ok, "psql {sql}: {err}");
}

/// `oauth-admin` with `DATABASE_URL` pointing at `db`.
pub fn admin(db: &TestDb) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_oauth-admin"));
    cmd.env("DATABASE_URL", &db.url)
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON a `--json` command printed.
/// Runs a command that must succeed and prints JSON; returns that JSON.
pub fn admin_json(db: &TestDb, args: &[&str]) -> Value {
    json_out(admin(db).args(args).assert().success().get_output())
}

/// `list-apps --json`: every registered app.
pub fn list_apps(db: &TestDb) -> Value {
    admin_json(db, &["list-apps", "--json"])
}

pub fn json_out(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(out)))
}

/// A user made with `create-user`; returns its id.
pub fn create_user(db: &TestDb, email: &str, password: &str) -> String {
    let out = admin(db)
        .args(["create-user", "--email", email, "--json"])
        .write_stdin(format!("{password}\n"))
        .assert()
        .success()
        .get_output()
        .clone();
    json_out(&out)["user_id"]
        .as_str()
        .expect("user_id")
        .to_owned()
}

/// `generate-app … --apply --json` with these redirect URIs and scopes.
pub fn apply_app(db: &TestDb, redirect_uri: &str, scopes: &str) -> Value {
    let out = admin(db)
        .args([
            "generate-app",
            "--name",
            "Flow App",
            "--description",
            "Tests flows",
        ])
        .args([
            "--redirect-uris",
            redirect_uri,
            "--scopes",
            scopes,
            "--apply",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    json_out(&out)
}

/// The API, running in this process on a free port, against the test's database.
pub struct TestApi {
    pub base: String,
    /// Carries the session cookie once signed up.
    pub browser: reqwest::Client,
    pub http: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestApi {
    pub async fn spawn(db: &TestDb) -> TestApi {
        let mut config = api::config::Config::for_tests(&db.url);
        config.database.database_max_connections = Some(4);
        let app = api::Application::build(config).await.expect("API starts");
        let base = format!("http://{}", app.local_addr().expect("bound"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        TestApi {
            base,
            browser: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            http: reqwest::Client::new(),
            _stop: stop,
        }
    }

    /// Signs up (and so in) the browser; returns the new user's id.
    pub async fn sign_up(&self, email: &str) -> String {
        let res = self
            .browser
            .post(format!("{}/api/auth/signup", self.base))
            .json(&json!({ "email": email, "password": "correct horse battery" }))
            .send()
            .await
            .expect("signup");
        assert_eq!(res.status(), 201, "signup");
        let me: Value = res.json().await.expect("json");
        me["user_id"].as_str().expect("user_id").to_owned()
    }

    /// Approves an authorization request as the signed-in browser; returns
    /// the code and its PKCE verifier.
    pub async fn authorize(&self, client_id: &str, redirect_uri: &str, scope: &str) -> Code {
        let verifier = format!("verifier-{}-{}", random_id(), random_id());
        let res = self
            .browser
            .post(format!("{}/api/oauth/authorize", self.base))
            .json(&json!({
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scope": scope,
                "state": "st4te",
                "code_challenge": s256_challenge(&verifier),
                "code_challenge_method": "S256",
                "response_type": "code",
                "decision": "approve",
            }))
            .send()
            .await
            .expect("authorize");
        assert_eq!(res.status(), 200, "authorize");
        let body: Value = res.json().await.expect("json");
        let url =
            url::Url::parse(body["redirect_url"].as_str().expect("redirect_url")).expect("url");
        let code = url
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no code in {url}"));
        Code {
            code,
            verifier,
            redirect_uri: redirect_uri.to_owned(),
        }
    }

    /// `POST /api/oauth/token` (form) with the client's credentials in the body.
    pub async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        self.post_form("/api/oauth/token", form).await
    }

    pub async fn exchange(&self, client_id: &str, secret: &str, code: &Code) -> (u16, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", &code.code),
            ("redirect_uri", &code.redirect_uri),
            ("code_verifier", &code.verifier),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

pub struct Code {
    pub code: String,
    pub verifier: String,
    pub redirect_uri: String,
}
