//! The authorization server as a library: `build_router` makes the whole app
//! from an `AppState`, and `Application` binds it, so tests and binaries run
//! the same code as production.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod admin;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod http;
pub mod ratelimit;
pub mod secret_cache;
pub mod store;

use clock::{Clock, SystemClock};
use config::Config;
use ratelimit::FailureLimiter;
use secret_cache::VerifiedSecrets;
use std::net::SocketAddr;
use std::sync::Arc;
use store::Db;
use tokio::net::TcpListener;

pub use http::build_router;

/// Everything a handler may need, built once.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// Failed sign-ins and client authentications, per key.
    pub limiter: Arc<FailureLimiter>,
    /// Client secrets that already passed scrypt, as keyed digests.
    pub verified_secrets: Arc<VerifiedSecrets>,
}

impl AppState {
    pub fn new(db: Db, config: Config, clock: Arc<dyn Clock>) -> Self {
        let limiter = FailureLimiter::new(config.max_auth_failures, config.auth_failure_window);
        AppState {
            db,
            config: Arc::new(config),
            clock,
            limiter: Arc::new(limiter),
            verified_secrets: Arc::new(VerifiedSecrets::new(secret_cache::DEFAULT_TTL)),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to the database (running migrations) and binds the listener.
    /// With port 0 the OS picks a free port; `local_addr` tells which.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = Db::connect(&config.database_url, config.database_max_connections).await?;
        Self::with_state(AppState::new(db, config, Arc::new(SystemClock))).await
    }

    /// Binds an already-built state (tests use this to pass a manual clock).
    pub async fn with_state(state: AppState) -> Result<Self, StartError> {
        let listener = TcpListener::bind(state.config.bind)
            .await
            .map_err(|e| StartError::Bind(state.config.bind, e))?;
        Ok(Application { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the future `shutdown` completes, sweeping expired rows in the background.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let sweeper = tokio::spawn(sweep_expired(self.state.clone()));
        let app = build_router(self.state);
        let result = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        sweeper.abort();
        result
    }
}

/// Deletes expired codes, tokens and sessions every `cleanup_interval` seconds.
async fn sweep_expired(state: AppState) {
    let period = std::time::Duration::from_secs(state.config.cleanup_interval.max(1));
    let mut ticker = tokio::time::interval(period);
    loop {
        ticker.tick().await;
        match state
            .db
            .delete_expired(state.now(), state.config.auth_code_ttl)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "deleted expired codes, tokens and sessions"),
            Err(e) => tracing::warn!(error = %e, "cleanup of expired rows failed"),
        }
    }
}

/// Why the server could not start, worded for an operator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] store::ConnectError),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
}
