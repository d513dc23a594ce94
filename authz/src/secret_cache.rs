//! Makes repeat authentication of a client cheap without weakening storage.
//!
//! scrypt stays the only thing at rest. After a secret passes scrypt, we keep
//! HMAC-SHA256(process key, stored hash ‖ secret) in memory for a while; the
//! next request with the same secret costs one HMAC instead of ~35 ms of
//! scrypt. The key is random per process and never stored, so neither a
//! database leak nor these digests alone reveal or confirm a secret, and
//! binding the stored hash means a rotated secret no longer matches.
//!
//! Bounded like the failure limiter: fixed-size keys, expired entries and
//! then the least recently seen dropped when full, never all at once.

use crate::bounded::{key, BoundedMap, Keep};
use crate::crypto::ct_eq;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::sync::Mutex;

/// How long a verified secret is remembered, seconds.
pub const DEFAULT_TTL: i64 = 600;
pub const DEFAULT_CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Verified {
    digest: [u8; 32],
    expires_at: i64,
}

pub struct VerifiedSecrets {
    key: [u8; 32],
    ttl: i64,
    entries: Mutex<BoundedMap<Verified>>,
}

impl std::fmt::Debug for VerifiedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedSecrets([redacted])")
    }
}

impl VerifiedSecrets {
    pub fn new(ttl: i64, capacity: usize) -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        VerifiedSecrets {
            key,
            ttl,
            entries: Mutex::new(BoundedMap::new(capacity)),
        }
    }

    fn digest(&self, stored_hash: &str, secret: &str) -> [u8; 32] {
        #[allow(clippy::expect_used)] // HMAC takes keys of any length
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(stored_hash.as_bytes());
        mac.update(&[0]);
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BoundedMap<Verified>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True if this exact secret verified for this client and stored hash recently.
    /// A hit renews the entry: a client in steady use never falls back to
    /// scrypt (and so never to the failure limits) while it keeps its secret.
    pub fn is_verified(&self, client_id: &str, stored_hash: &str, secret: &str, now: i64) -> bool {
        let digest = self.digest(stored_hash, secret);
        match self.lock().get_mut(&key("client", client_id)) {
            Some(v) if now < v.expires_at && ct_eq(&v.digest, &digest) => {
                v.expires_at = now + self.ttl;
                true
            }
            _ => false,
        }
    }

    pub fn remember(&self, client_id: &str, stored_hash: &str, secret: &str, now: i64) {
        let verified = Verified {
            digest: self.digest(stored_hash, secret),
            expires_at: now + self.ttl,
        };
        let rank = |v: &Verified| {
            if now >= v.expires_at {
                Keep::Stale
            } else {
                Keep::Normal
            }
        };
        *self
            .lock()
            .entry(key("client", client_id), || verified, rank) = verified;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_only_the_exact_secret_hash_pair_until_expiry() {
        let c = VerifiedSecrets::new(60, 100);
        c.remember("app", "hash1", "s3cret", 100);
        assert!(c.is_verified("app", "hash1", "s3cret", 120));
        assert!(!c.is_verified("app", "hash1", "wrong", 120));
        assert!(
            !c.is_verified("app", "hash2", "s3cret", 120),
            "rotated secret"
        );
        assert!(!c.is_verified("other", "hash1", "s3cret", 120));
        assert!(
            c.is_verified("app", "hash1", "s3cret", 160),
            "renewed by the hit at 120"
        );
        assert!(!c.is_verified("app", "hash1", "s3cret", 221), "expired");
    }

    #[test]
    fn a_flood_keeps_recently_used_secrets() {
        let c = VerifiedSecrets::new(600, 1_000);
        c.remember("busy", "h", "s", 0);
        for i in 0..5_000 {
            c.remember(&format!("c{i}"), "h", "s", 1);
            if i % 50 == 0 {
                assert!(c.is_verified("busy", "h", "s", 1), "seen often, kept");
            }
        }
        assert!(c.lock().len() <= 1_000);
    }
}
