//! Everything a use case may need, built once per process.

use crate::clock::Clock;
use crate::config::Config;
use crate::hasher::Hasher;
use crate::keys::Keys;
use crate::secret_cache::{self, VerifiedSecrets};
use crate::service::clients::FetchDocument;
use crate::store::Db;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// The issuer (RFC 8414 §2, RFC 9207): the public URL, or the address
    /// actually bound. Computed once, byte-identical everywhere it appears.
    pub issuer: Arc<str>,
    /// Client secrets that already passed scrypt, as keyed digests.
    pub verified_secrets: Arc<VerifiedSecrets>,
    /// Every scrypt computation, bounded.
    pub hasher: Arc<Hasher>,
    /// Whether the database is reachable, as requests last found it.
    pub health: Arc<Health>,
    /// Client metadata documents, fetched under the SSRF rules (the
    /// transport lives at the edge, in `api::fetch`).
    pub fetcher: Arc<dyn FetchDocument>,
    /// The ID Token signing keys.
    pub keys: Arc<Keys>,
}

/// The database's reachability, so an outage is logged once (WARN when it
/// starts, INFO when it ends) rather than once per failed request.
#[derive(Debug, Default)]
pub struct Health {
    down: AtomicBool,
}

impl Health {
    pub fn report_down(&self) {
        if !self.down.swap(true, Ordering::SeqCst) {
            tracing::warn!(
                event = "database_unavailable",
                "the database cannot be reached; answering 503 until it can"
            );
        }
    }

    pub fn report_up(&self) {
        if self.down.swap(false, Ordering::SeqCst) {
            tracing::info!(
                event = "database_available",
                "the database can be reached again"
            );
        }
    }

    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }
}

impl AppState {
    pub fn new(
        db: Db,
        config: Config,
        clock: Arc<dyn Clock>,
        issuer: String,
        fetcher: Arc<dyn FetchDocument>,
        keys: Keys,
    ) -> Self {
        let hasher = Hasher::new(
            config
                .limits
                .hash_workers
                .unwrap_or_else(Hasher::default_workers),
            config.limits.hash_queue,
        );
        AppState {
            db,
            fetcher,
            keys: Arc::new(keys),
            health: Arc::default(),
            hasher: Arc::new(hasher),
            config: Arc::new(config),
            clock,
            issuer: issuer.into(),
            verified_secrets: Arc::new(VerifiedSecrets::new(
                secret_cache::DEFAULT_TTL,
                secret_cache::DEFAULT_CAPACITY,
            )),
        }
    }

    /// The time of this request: read once, then passed down.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Cookies get `Secure` when we are served over https.
    pub fn secure_cookies(&self) -> bool {
        self.issuer.starts_with("https://")
    }
}
