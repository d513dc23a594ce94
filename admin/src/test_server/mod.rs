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
//!
//! Its routes are in `handlers`, its calls to the server in `api`, and its
//! pages are askama templates (`pages`, on admin/templates/).

mod api;
mod handlers;
mod pages;

use super::generate::new_client_id;
use super::{AdminError, AdminResult, Outcome, TestServer};
use crate::clock::{Clock, SystemClock};
use crate::crypto::{self, random_id, random_token, CLIENT_SECRET_PREFIX};
use crate::store::apps::{self, NewClient};
use crate::store::{users, Db};
use axum::routing::{get, post};
use axum::Router;
use shared::{RedirectUri, Scope, ScopeSet};
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
        .route("/", get(handlers::home))
        .route("/callback", get(handlers::callback))
        .route("/introspect", post(handlers::introspect))
        .route("/refresh", post(handlers::refresh))
        .route("/revoke", post(handlers::revoke))
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

#[cfg(test)]
mod tests {
    use super::*;

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
