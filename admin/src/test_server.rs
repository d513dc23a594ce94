//! `test-server`: a throw-away OAuth client for trying the whole flow by hand.
//!
//! It registers a temporary confidential app (redirect
//! `http://localhost:<port>/callback`, every scope), serves a small web client
//! that runs authorization code + PKCE (S256) with a fresh `state`, and does
//! the token exchange, introspection, refresh and revocation from its own
//! side, so the client secret never reaches the browser. On Ctrl-C or SIGTERM
//! it deletes the app, and with it every grant, code and token it produced.
//!
//! With `--oidc` it is an OpenID Connect relying party instead: it asks for
//! `openid profile email` with a `nonce`, verifies the ID Token it gets
//! (signature against the published JWKS, `iss`, `aud`, `exp`, `nonce`,
//! `at_hash`, `azp`) with an independent JOSE library, and shows the claims
//! next to the UserInfo answer.

use super::generate::new_client_id;
use super::manage::when;
use super::{AdminError, AdminResult, Outcome, TestServer};
use crate::clock::{Clock, SystemClock};
use crate::crypto::{self, ct_eq, random_id, random_token, CLIENT_SECRET_PREFIX};
use crate::domain::oidc::at_hash;
use crate::domain::pkce::s256_challenge;
use crate::store::apps::{self, NewClient};
use crate::store::{users, Db};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use shared::{RedirectUri, Scope, ScopeSet, TokenResponse};
use std::collections::VecDeque;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

const APP_NAME: &str = "OAuth Test Client";
const APP_DESCRIPTION: &str =
    "A temporary app made by `oauth-admin test-server`; it is deleted when the test server stops.";
/// Sign-ins started but not finished; older ones are forgotten.
const MAX_PENDING: usize = 32;

/// What the web client needs; the secret stays in this process.
struct Client {
    client_id: String,
    secret: String,
    redirect_uri: String,
    authorize_endpoint: String,
    backend: String,
    http: reqwest::Client,
    /// Sign-ins in progress.
    pending: Mutex<VecDeque<Pending>>,
    /// Relying party mode: identity scopes, a nonce, ID Token verification.
    oidc: bool,
}

/// One sign-in started on the home page and not yet back.
struct Pending {
    state: String,
    verifier: String,
    nonce: Option<String>,
}

type Shared = Arc<Client>;

fn base_url(what: &str, url: &str) -> AdminResult<String> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(url.trim_end_matches('/').to_owned())
        }
        _ => Err(AdminError::Invalid(format!(
            "--{what} must be an http(s) URL such as http://localhost:3000, not {url:?}"
        ))),
    }
}

pub async fn run(db: &Db, args: TestServer) -> AdminResult<Outcome> {
    let platform = base_url("platform-url", &args.platform_url)?;
    let backend = base_url("backend-url", &args.backend_url)?;
    let owner = users::find_user_by_id(db, &args.owner_id)
        .await?
        .ok_or_else(|| {
            AdminError::Invalid(format!(
                "--owner-id {:?} names no user in this database; create one with \
                 `oauth-admin create-user --email you@example.com` (it prints the user_id)",
                args.owner_id
            ))
        })?;
    let signal = StopSignal::install()?;
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| AdminError::Invalid(format!("cannot listen on port {}: {e}", args.port)))?;
    let port = listener.local_addr()?.port();
    let home = format!("http://localhost:{port}");

    let secret = random_token(CLIENT_SECRET_PREFIX);
    let redirect_uri = format!("{home}/callback");
    let app = NewClient::operator(
        random_id(),
        new_client_id(),
        Some(crypto::hash_secret_blocking(secret.clone()).await),
        APP_NAME.into(),
        APP_DESCRIPTION.into(),
        RedirectUri::parse(&redirect_uri).into_iter().collect(),
        ScopeSet::new(Scope::ALL),
        Some(owner.user_id.clone()),
    );
    apps::insert_client(db, &app, SystemClock.now()).await?;

    println!("Created a temporary OAuth app (deleted when this server stops):");
    println!("  name:          {APP_NAME}");
    println!("  client_id:     {}", app.client_id);
    println!("  redirect_uri:  {redirect_uri}");
    println!(
        "  scopes:        {}",
        app.allowed_scopes.to_space_separated()
    );
    println!("  owner:         {} ({})", owner.email, owner.user_id);
    println!("  consent at:    {platform}/auth/authorize");
    println!("  API at:        {backend}/api/oauth/…");
    if args.oidc {
        println!("  mode:          OpenID Connect (asks for openid profile email, verifies the ID Token)");
    }
    println!("test server listening on {home}");
    println!("Open it in a browser and click \"Sign in with AutoGPT\". Ctrl-C stops it and deletes the app.");

    let client = Arc::new(Client {
        client_id: app.client_id.to_string(),
        secret,
        redirect_uri,
        authorize_endpoint: format!("{platform}/auth/authorize"),
        backend,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| AdminError::Invalid(format!("cannot make an HTTP client: {e}")))?,
        pending: Mutex::default(),
        oidc: args.oidc,
    });
    let served = serve(listener, client, signal).await;
    if let Err(e) = &served {
        eprintln!("error: the test server failed: {e}");
    }

    match apps::delete_client(db, &app.client_id).await {
        Ok(Some(u)) => {
            println!(
                "Deleted the test app {} with {} grant(s), {} authorization code(s), {} access token(s), {} refresh token(s).",
                app.client_id, u.grants, u.authorization_codes, u.access_tokens, u.refresh_tokens
            );
            Ok(if served.is_ok() {
                Outcome::Success
            } else {
                Outcome::Negative
            })
        }
        Ok(None) => {
            println!("The test app {} was already deleted.", app.client_id);
            Ok(Outcome::Success)
        }
        Err(e) => Err(AdminError::Invalid(format!(
            "could not delete the test app ({e}); remove it by hand: oauth-admin delete-app {} --yes",
            app.client_id
        ))),
    }
}

/// Serves until Ctrl-C or SIGTERM; open connections get a few seconds to finish.
async fn serve(
    listener: TcpListener,
    client: Shared,
    mut signal: StopSignal,
) -> std::io::Result<()> {
    let router = Router::new()
        .route("/", get(home))
        .route("/callback", get(callback))
        .route("/introspect", post(introspect))
        .route("/refresh", post(refresh))
        .route("/revoke", post(revoke))
        .with_state(client);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut server = tokio::spawn(
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    tokio::select! {
        result = &mut server => return result.unwrap_or_else(|e| Err(std::io::Error::other(e))),
        () = signal.recv() => {}
    }
    let _ = stop.send(());
    if tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .is_err()
    {
        eprintln!("warning: connections still open after 5 s; stopping anyway");
    }
    Ok(())
}

/// Ctrl-C or SIGTERM, listened for from the start: a signal that arrives
/// while the app is being created is kept, and then stops the server at once,
/// so the app is still deleted (the default action would kill us first).
struct StopSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn install() -> std::io::Result<StopSignal> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(StopSignal {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignal {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {},
            _ = self.terminate.recv() => {},
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

// ---- pages ----

/// The home page: a fresh state and PKCE pair behind the sign-in button.
async fn home(State(client): State<Shared>) -> Response {
    let state = random_token("");
    let verifier = random_token("");
    let challenge = s256_challenge(&verifier);
    let nonce = client.oidc.then(|| random_token(""));
    {
        let mut pending = client.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() >= MAX_PENDING {
            pending.pop_front();
        }
        pending.push_back(Pending {
            state: state.clone(),
            verifier,
            nonce: nonce.clone(),
        });
    }
    let scopes = if client.oidc {
        ScopeSet::new(Scope::IDENTITY)
    } else {
        ScopeSet::new(Scope::PLATFORM)
    }
    .to_space_separated();
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("scope", scopes.as_str()),
        ("state", state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    if let Some(nonce) = &nonce {
        params.push(("nonce", nonce));
    }
    let href = match url::Url::parse_with_params(&client.authorize_endpoint, params) {
        Ok(u) => u.to_string(),
        Err(e) => {
            return page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                &esc(&e.to_string()),
            )
        }
    };
    let body = format!(
        "<p>A test client for this authorization server, registered as <code>{id}</code>. \
         Signing in runs the authorization code flow with PKCE (S256) and a fresh <code>state</code>.</p>\
         <p><a id=\"sign-in\" class=\"button\" href=\"{href}\">Sign in with AutoGPT</a></p>\
         <details><summary>Request details</summary><dl>\
         <dt>Authorization endpoint</dt><dd><code>{endpoint}</code></dd>\
         <dt>Redirect URI</dt><dd><code>{redirect}</code></dd>\
         <dt>Scopes</dt><dd><code>{scopes}</code></dd>\
         <dt>state</dt><dd><code>{state}</code></dd>\
         <dt>code_challenge (S256)</dt><dd><code>{challenge}</code></dd>{nonce}</dl>\
         <p>The code verifier and the client secret stay on the test server.</p></details>",
        id = esc(&client.client_id),
        href = esc(&href),
        endpoint = esc(&client.authorize_endpoint),
        redirect = esc(&client.redirect_uri),
        scopes = esc(&scopes),
        state = esc(&state),
        challenge = esc(&challenge),
        nonce = nonce
            .map(|n| format!("<dt>nonce</dt><dd><code>{}</code></dd>", esc(&n)))
            .unwrap_or_default(),
    );
    let title = if client.oidc {
        "OpenID Connect test client"
    } else {
        "OAuth test client"
    };
    page(StatusCode::OK, title, &body)
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// RFC 6749 §4.1.2: checks `state`, then exchanges the code (§4.1.3) from here.
async fn callback(State(client): State<Shared>, Query(q): Query<CallbackQuery>) -> Response {
    let started = q.state.as_deref().and_then(|state| {
        let mut pending = client.pending.lock().unwrap_or_else(|e| e.into_inner());
        let i = pending
            .iter()
            .position(|p| ct_eq(p.state.as_bytes(), state.as_bytes()))?;
        pending.remove(i)
    });
    let Some(started) = started else {
        return page(
            StatusCode::BAD_REQUEST,
            "State mismatch",
            &format!(
                "<p class=\"bad\">The <code>state</code> does not match a sign-in started here \
                 (a forged callback, an old tab, or a restarted test server). Nothing was exchanged.</p>{AGAIN}"
            ),
        );
    };
    if let Some(error) = &q.error {
        return page(
            StatusCode::OK,
            "Authorization refused",
            &format!(
                "<p class=\"bad\"><code>{}</code>: {}</p>{AGAIN}",
                esc(error),
                esc(q.error_description.as_deref().unwrap_or(""))
            ),
        );
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return page(
            StatusCode::BAD_REQUEST,
            "No code",
            &format!(
                "<p class=\"bad\">The callback carried neither a code nor an error.</p>{AGAIN}"
            ),
        );
    };
    let result = client
        .call(
            "/api/oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &client.redirect_uri),
                ("code_verifier", &started.verifier),
            ],
        )
        .await;
    token_page(&client, &result, None, started.nonce.as_deref()).await
}

/// The tokens a page shows, carried between pages in hidden fields.
#[derive(Debug, Clone, Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    expires_at: i64,
    /// For /revoke: `access` or `refresh`.
    #[serde(default)]
    which: Option<String>,
    /// The sign-in's nonce (OIDC mode), which a refreshed ID Token may repeat.
    #[serde(default)]
    nonce: Option<String>,
}

/// RFC 7662: is the access token active, and what does the server say about it?
async fn introspect(State(client): State<Shared>, Form(t): Form<Tokens>) -> Response {
    let result = client
        .call(
            "/api/oauth/introspect",
            &[
                ("token", &t.access_token),
                ("token_type_hint", "access_token"),
            ],
        )
        .await;
    action_page("Introspection of the access token", &result, &t)
}

/// RFC 6749 §6: new tokens for the refresh token (which is rotated).
async fn refresh(State(client): State<Shared>, Form(t): Form<Tokens>) -> Response {
    let result = client
        .call(
            "/api/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &t.refresh_token),
            ],
        )
        .await;
    token_page(&client, &result, Some(&t), t.nonce.as_deref()).await
}

/// RFC 7009: revokes the access token, or the refresh token (and its grant).
async fn revoke(State(client): State<Shared>, Form(t): Form<Tokens>) -> Response {
    let (token, hint, title) = if t.which.as_deref() == Some("refresh") {
        (
            &t.refresh_token,
            "refresh_token",
            "Revocation of the refresh token",
        )
    } else {
        (
            &t.access_token,
            "access_token",
            "Revocation of the access token",
        )
    };
    let result = client
        .call(
            "/api/oauth/revoke",
            &[("token", token), ("token_type_hint", hint)],
        )
        .await;
    action_page(title, &result, &t)
}

/// What the API answered: status and body, or why it could not be reached.
type Answer = Result<(u16, Value), String>;

impl Client {
    /// Posts a form to the API, authenticating with the client secret (`client_secret_post`).
    async fn call(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("client_id", &self.client_id));
        fields.push(("client_secret", &self.secret));
        let url = format!("{}{path}", self.backend);
        let res = self
            .http
            .post(&url)
            .form(&fields)
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| e.to_string())?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }
}

impl Client {
    async fn get_json(&self, url: &str, bearer: Option<&str>) -> Answer {
        let mut req = self.http.get(url);
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let res = req
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| e.to_string())?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// OpenID Connect Core §3.1.3.7: checks the ID Token as a relying party
    /// must, with keys and issuer taken from discovery, not from this process.
    async fn verify_id_token(
        &self,
        id_token: &str,
        access_token: &str,
        nonce: Option<&str>,
    ) -> Result<Verified, String> {
        let discovery = match self
            .get_json(
                &format!("{}/.well-known/openid-configuration", self.backend),
                None,
            )
            .await?
        {
            (200, doc) => doc,
            (status, _) => return Err(format!("discovery answered HTTP {status}")),
        };
        let issuer = discovery["issuer"]
            .as_str()
            .ok_or("discovery names no issuer")?
            .to_owned();
        let jwks = match self
            .get_json(&format!("{}/api/oauth/jwks", self.backend), None)
            .await?
        {
            (200, jwks) => serde_json::from_value::<JwkSet>(jwks)
                .map_err(|e| format!("the JWKS does not parse: {e}"))?,
            (status, _) => return Err(format!("the JWKS endpoint answered HTTP {status}")),
        };
        let header =
            jsonwebtoken::decode_header(id_token).map_err(|e| format!("not a JWS: {e}"))?;
        let kid = header.kid.clone().ok_or("the header has no kid")?;
        let jwk = jwks
            .find(&kid)
            .ok_or_else(|| format!("no key {kid:?} in the JWKS"))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key {kid:?}: {e}"))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(format!("unexpected alg {:?}", header.alg));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[&self.client_id]);
        validation.set_required_spec_claims(&["iss", "aud", "exp", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation)
            .map_err(|e| format!("rejected: {e}"))?
            .claims;
        let mut checks = vec![
            format!(
                "signature ({:?}, key {kid}) from the published JWKS",
                header.alg
            ),
            format!("iss is {issuer}"),
            "aud holds this client_id".to_owned(),
            "not expired".to_owned(),
        ];
        match (nonce, claims.get("nonce").and_then(Value::as_str)) {
            (Some(want), Some(got)) if ct_eq(want.as_bytes(), got.as_bytes()) => {
                checks.push("nonce is the one this sign-in sent".into())
            }
            (_, Some(_)) => return Err("the nonce is not the one this sign-in sent".into()),
            (Some(_), None) => checks.push("no nonce (allowed on refresh)".into()),
            (None, None) => {}
        }
        match claims.get("at_hash").and_then(Value::as_str) {
            Some(h) if h == at_hash(access_token) => {
                checks.push("at_hash matches the access token".into())
            }
            Some(_) => return Err("at_hash does not match the access token".into()),
            None => return Err("no at_hash".into()),
        }
        match claims.get("azp").and_then(Value::as_str) {
            Some(azp) if azp == self.client_id => checks.push("azp is this client_id".into()),
            _ => return Err("azp is not this client_id".into()),
        }
        if claims.get("iat").and_then(Value::as_i64).is_none() {
            return Err("no iat".into());
        }
        Ok(Verified {
            header: serde_json::json!({ "alg": header.alg, "kid": kid, "typ": header.typ }),
            claims,
            checks,
        })
    }

    /// The verified ID Token and the UserInfo answer, as a page section.
    async fn identity_section(&self, id_token: Option<&str>, tokens: &Tokens) -> String {
        let Some(id_token) = id_token else {
            return "<section id=\"id-token\"><h2>ID Token</h2>\
                    <p class=\"bad\">The token response carried no ID Token.</p></section>"
                .into();
        };
        let verified = match self
            .verify_id_token(id_token, &tokens.access_token, tokens.nonce.as_deref())
            .await
        {
            Ok(v) => format!(
                "<p class=\"good\" id=\"id-token-verdict\">ID Token verified.</p><ul>{}</ul>\
                 <h3>Header</h3><pre>{}</pre><h3>Claims</h3><pre id=\"id-token-claims\">{}</pre>",
                v.checks
                    .iter()
                    .map(|c| format!("<li>{}</li>", esc(c)))
                    .collect::<String>(),
                esc(&serde_json::to_string_pretty(&v.header).unwrap_or_default()),
                esc(&serde_json::to_string_pretty(&v.claims).unwrap_or_default()),
            ),
            Err(why) => format!(
                "<p class=\"bad\" id=\"id-token-verdict\">ID Token NOT verified: {}</p>",
                esc(&why)
            ),
        };
        let userinfo = self
            .get_json(
                &format!("{}/api/oauth/userinfo", self.backend),
                Some(&tokens.access_token),
            )
            .await;
        let userinfo = match &userinfo {
            Ok((status, body)) => format!(
                "<p>HTTP {status}</p><pre id=\"userinfo\">{}</pre>",
                esc(&serde_json::to_string_pretty(body).unwrap_or_default())
            ),
            Err(e) => format!("<p class=\"bad\">{}</p>", esc(e)),
        };
        format!(
            "<section id=\"id-token\"><h2>ID Token</h2>{verified}\
             <details><summary>Compact form</summary><pre>{}</pre></details></section>\
             <section id=\"userinfo-section\"><h2>UserInfo</h2>{userinfo}</section>",
            esc(id_token)
        )
    }
}

/// An ID Token that passed every check, for display.
struct Verified {
    header: Value,
    claims: Value,
    checks: Vec<String>,
}

/// After a token request: the new tokens, or the error with the old ones (if any).
async fn token_page(
    client: &Client,
    answer: &Answer,
    old: Option<&Tokens>,
    nonce: Option<&str>,
) -> Response {
    let title = if old.is_some() {
        "Refresh"
    } else {
        "Token exchange"
    };
    if let Ok((200, body)) = answer {
        if let Ok(t) = serde_json::from_value::<TokenResponse>(body.clone()) {
            let tokens = Tokens {
                access_token: t.access_token.into_secret(),
                refresh_token: t.refresh_token.into_secret(),
                scope: t.scope,
                expires_at: SystemClock.now() + t.expires_in,
                which: None,
                nonce: nonce.map(str::to_owned),
            };
            let identity = if client.oidc {
                client
                    .identity_section(t.id_token.as_deref(), &tokens)
                    .await
            } else {
                String::new()
            };
            let body = format!(
                "<p class=\"good\">Tokens received (HTTP 200, <code>{}</code>, expires in {} s).</p>{identity}{}",
                esc(t.token_type.as_str()),
                t.expires_in,
                tokens_panel(&tokens)
            );
            return page(StatusCode::OK, &format!("{title}: signed in"), &body);
        }
    }
    let mut body = result_section(title, answer);
    match old {
        Some(t) => body.push_str(&tokens_panel(t)),
        None => body.push_str(AGAIN),
    }
    page(StatusCode::OK, &format!("{title} failed"), &body)
}

fn action_page(title: &str, answer: &Answer, t: &Tokens) -> Response {
    let body = format!("{}{}", result_section(title, answer), tokens_panel(t));
    page(StatusCode::OK, title, &body)
}

fn result_section(title: &str, answer: &Answer) -> String {
    match answer {
        Ok((status, body)) => format!(
            "<section id=\"result\"><h2>{}</h2><p>HTTP {status}</p><pre>{}</pre></section>",
            esc(title),
            esc(&serde_json::to_string_pretty(body).unwrap_or_default())
        ),
        Err(e) => format!(
            "<section id=\"result\"><h2>{}</h2><p class=\"bad\">{}</p></section>",
            esc(title),
            esc(e)
        ),
    }
}

fn tokens_panel(t: &Tokens) -> String {
    let hidden = format!(
        "<input type=\"hidden\" name=\"access_token\" value=\"{}\">\
         <input type=\"hidden\" name=\"refresh_token\" value=\"{}\">\
         <input type=\"hidden\" name=\"scope\" value=\"{}\">\
         <input type=\"hidden\" name=\"expires_at\" value=\"{}\">{}",
        esc(&t.access_token),
        esc(&t.refresh_token),
        esc(&t.scope),
        t.expires_at,
        t.nonce
            .as_deref()
            .map(|n| format!(
                "<input type=\"hidden\" name=\"nonce\" value=\"{}\">",
                esc(n)
            ))
            .unwrap_or_default()
    );
    let button = |action: &str, extra: &str, label: &str| {
        format!(
            "<form method=\"post\" action=\"/{action}\">{hidden}{extra}<button type=\"submit\">{label}</button></form>"
        )
    };
    format!(
        "<section id=\"tokens\"><h2>Tokens</h2><dl>\
         <dt>Access token</dt><dd><code id=\"access-token\">{access}</code></dd>\
         <dt>Expires</dt><dd>{expires}</dd>\
         <dt>Refresh token</dt><dd><code id=\"refresh-token\">{refresh}</code></dd>\
         <dt>Scope</dt><dd><code>{scope}</code></dd></dl>\
         <div class=\"actions\">{introspect}{refresh_btn}{revoke_access}{revoke_refresh}</div>\
         <p><a href=\"/\">Start again</a></p></section>",
        access = esc(&t.access_token),
        refresh = esc(&t.refresh_token),
        scope = esc(&t.scope),
        expires = esc(&when(t.expires_at)),
        introspect = button("introspect", "", "Test access token (introspect)"),
        refresh_btn = button("refresh", "", "Refresh tokens"),
        revoke_access = button(
            "revoke",
            "<input type=\"hidden\" name=\"which\" value=\"access\">",
            "Revoke access token"
        ),
        revoke_refresh = button(
            "revoke",
            "<input type=\"hidden\" name=\"which\" value=\"refresh\">",
            "Revoke refresh token (ends the grant)"
        ),
    )
}

const AGAIN: &str = "<p><a href=\"/\">Start again</a></p>";

const CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}\
main{max-width:52rem;margin:2rem auto;padding:0 1rem}\
code,pre{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all;white-space:pre-wrap}\
pre{background:#fff;border:1px solid #d5d9e0;padding:.75rem;border-radius:6px}\
section{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:1rem;margin:1rem 0}\
dt{font-weight:600}dd{margin:0 0 .5rem}\
.button,button{display:inline-block;background:#1d4ed8;color:#fff;border:0;border-radius:6px;\
padding:.6rem 1.1rem;font:inherit;text-decoration:none;cursor:pointer;margin:.25rem .5rem .25rem 0}\
.actions form{display:inline}.good{color:#15803d}.bad{color:#b91c1c}";

/// A whole HTML page, self-contained (no external resources, no scripts).
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{CSS}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>",
        title = esc(title),
    );
    let mut res = (status, axum::response::Html(html)).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        ),
    );
    // The callback URL carries the code: keep it out of Referer headers.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// HTML-escapes text and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_attributes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn base_urls_must_be_http() {
        assert_eq!(
            base_url("platform-url", "http://localhost:3000/").unwrap(),
            "http://localhost:3000"
        );
        assert!(base_url("backend-url", "localhost:8006").is_err());
        assert!(base_url("backend-url", "javascript:alert(1)").is_err());
    }
}
