//! The authorization server as a library: `Application` connects, binds and
//! builds the whole app, so tests and binaries run the same code as production.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod error;
pub mod fetch;
pub mod http;
pub mod server;

// Below the HTTP edge, in a crate that cannot import axum (see authz/).
pub use authz::{
    bounded, clock, config, crypto, domain, hasher, keys, secret_cache, service, state, store,
};

use clock::{Clock, SystemClock};
use config::Config;
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use store::Db;
use tokio::net::TcpListener;

pub use http::build_router;

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to the database (running migrations) and binds the listener.
    /// With port 0 the OS picks a free port; `local_addr` tells which.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = Db::connect_with(
            &config.database.database_url,
            config.pool_size(),
            std::time::Duration::from_secs(config.database.database_timeout.max(1)),
        )
        .await?;
        Self::build_with(config, db, Arc::new(SystemClock)).await
    }

    /// Binds with a database and clock already made (tests pass a manual clock).
    pub async fn build_with(
        config: Config,
        db: Db,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartError> {
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|e| StartError::Bind(config.bind, e))?;
        let bound = listener
            .local_addr()
            .map_err(|e| StartError::Bind(config.bind, e))?;
        let issuer = config.issuer(bound);
        let fetcher = fetch::MetadataFetcher::new(&config)?;
        let keys = keys::Keys::new(keys::Sealer::new(
            config
                .tokens
                .signing_key_encryption_key
                .as_ref()
                .map(|k| k.0.as_str()),
        )?);
        keys.check(&db, clock.now()).await?;
        Ok(Application {
            listener,
            state: AppState::new(db, config, clock, issuer, Arc::new(fetcher), keys),
        })
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
        let limits = server::Limits {
            header_read_timeout: std::time::Duration::from_secs(
                self.state.config.transport.header_read_timeout.max(1),
            ),
            max_connections: self.state.config.transport.max_connections,
            request_timeout: std::time::Duration::from_secs(
                self.state.config.transport.request_timeout.max(1),
            ),
            http2: self.state.config.transport.http2,
        };
        let app = build_router(self.state);
        let result = server::serve(self.listener, app, limits, shutdown).await;
        sweeper.abort();
        result
    }
}

/// Deletes expired codes, tokens, sessions and failure windows every
/// `cleanup_interval` seconds; while the database is down, checks every
/// second whether it is back (so the outage is logged as over once).
async fn sweep_expired(state: AppState) {
    let period = std::time::Duration::from_secs(state.config.database.cleanup_interval.max(1));
    let mut ticker = tokio::time::interval(period);
    let mut health = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = health.tick() => {
                if state.health.is_down() && state.db.ping().await.is_ok() {
                    state.health.report_up();
                }
                continue;
            }
        }
        let c = &state.config;
        let longest_limit = c
            .limits
            .auth_failure_window
            .max(c.limits.signup_window)
            .max(c.registration.registration_window);
        match state
            .db
            .delete_expired(
                state.now(),
                c.tokens.auth_code_ttl,
                longest_limit,
                c.registration.unused_registration_ttl,
            )
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                rows = n,
                "deleted expired codes, tokens, sessions and limits"
            ),
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
    #[error(transparent)]
    Fetcher(#[from] fetch::FetcherError),
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
}
