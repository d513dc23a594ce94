//! Makes repeat authentication of a client cheap without weakening storage.
//!
//! scrypt stays the only thing at rest. After a secret passes scrypt, we keep
//! HMAC-SHA256(process key, stored hash ‖ secret) in memory for a while; the
//! next request with the same secret costs one HMAC instead of ~50 ms of
//! scrypt. The key is random per process and never stored, so neither a
//! database leak nor these digests alone reveal or confirm a secret, and
//! binding the stored hash means a rotated secret no longer matches.

use crate::crypto::ct_eq;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a verified secret is remembered, seconds.
pub const DEFAULT_TTL: i64 = 600;
const MAX_ENTRIES: usize = 10_000;

pub struct VerifiedSecrets {
    key: [u8; 32],
    ttl: i64,
    entries: Mutex<HashMap<String, ([u8; 32], i64)>>,
}

impl std::fmt::Debug for VerifiedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedSecrets([redacted])")
    }
}

impl VerifiedSecrets {
    pub fn new(ttl: i64) -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        VerifiedSecrets {
            key,
            ttl,
            entries: Mutex::default(),
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ([u8; 32], i64)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True if this exact secret verified for this client and stored hash recently.
    pub fn is_verified(&self, client_id: &str, stored_hash: &str, secret: &str, now: i64) -> bool {
        let digest = self.digest(stored_hash, secret);
        match self.lock().get(client_id) {
            Some((known, expires_at)) if now < *expires_at => ct_eq(known, &digest),
            _ => false,
        }
    }

    pub fn remember(&self, client_id: &str, stored_hash: &str, secret: &str, now: i64) {
        let digest = self.digest(stored_hash, secret);
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, expires_at)| now < *expires_at);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(client_id.to_owned(), (digest, now + self.ttl));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_only_the_exact_secret_hash_pair_until_expiry() {
        let c = VerifiedSecrets::new(60);
        c.remember("app", "hash1", "s3cret", 100);
        assert!(c.is_verified("app", "hash1", "s3cret", 120));
        assert!(!c.is_verified("app", "hash1", "wrong", 120));
        assert!(
            !c.is_verified("app", "hash2", "s3cret", 120),
            "rotated secret"
        );
        assert!(!c.is_verified("other", "hash1", "s3cret", 120));
        assert!(!c.is_verified("app", "hash1", "s3cret", 160), "expired");
    }
}
