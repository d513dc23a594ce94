//! Everything a handler may need, built once per process.

use crate::clock::Clock;
use crate::config::Config;
use crate::hasher::Hasher;
use crate::limiter::{self, FailureLimiter};
use crate::secret_cache::{self, VerifiedSecrets};
use crate::store::Db;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// The issuer (RFC 8414 §2, RFC 9207): the public URL, or the address
    /// actually bound. Computed once, byte-identical everywhere it appears.
    pub issuer: Arc<str>,
    /// Failed sign-ins and client authentications, per key.
    pub limiter: Arc<FailureLimiter>,
    /// Client secrets that already passed scrypt, as keyed digests.
    pub verified_secrets: Arc<VerifiedSecrets>,
    /// Every scrypt computation, bounded.
    pub hasher: Arc<Hasher>,
}

impl AppState {
    pub fn new(db: Db, config: Config, clock: Arc<dyn Clock>, issuer: String) -> Self {
        let limiter = FailureLimiter::new(
            config.max_auth_failures,
            config.auth_failure_window,
            limiter::DEFAULT_CAPACITY,
        );
        let hasher = Hasher::new(
            config.hash_workers.unwrap_or_else(Hasher::default_workers),
            config.hash_queue,
        );
        AppState {
            db,
            hasher: Arc::new(hasher),
            config: Arc::new(config),
            clock,
            issuer: issuer.into(),
            limiter: Arc::new(limiter),
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
