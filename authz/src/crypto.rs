//! Random identifiers and the two ways we keep secrets: scrypt (passwords,
//! client secrets: low-entropy or long-lived) and SHA-256 (codes, tokens,
//! session ids: 256 random bits, so a fast hash is enough and lookups stay
//! indexable).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Token prefixes, in the seed's style.
pub const CLIENT_ID_PREFIX: &str = "agpt_client_";
pub const CLIENT_SECRET_PREFIX: &str = "agpt_secret_";
pub const ACCESS_TOKEN_PREFIX: &str = "agpt_xt_";
pub const REFRESH_TOKEN_PREFIX: &str = "agpt_rt_";
pub const CODE_PREFIX: &str = "agpt_code_";

/// `prefix` + 256 random bits, base64url.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// 128 random bits as hex, for row ids that are not secrets.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A row id that sorts by creation: 48 bits of Unix milliseconds, then 80
/// random bits, as 32 hex digits. Rows made one after another land next to
/// each other in every index on the id (an append, not a random page), so
/// writing a grant's codes and tokens touches pages already in use however
/// many grants exist. Not a secret, and not guessable either.
pub fn time_ordered_id(unix_millis: i64) -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes[6..]);
    bytes[..6].copy_from_slice(&unix_millis.max(0).to_be_bytes()[2..]);
    hex::encode(bytes)
}

/// SHA-256 of a high-entropy secret, hex: the form codes and tokens are stored and looked up in.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Constant-time byte comparison.
pub use shared::secret::ct_eq;

/// A secret as kept at rest: scrypt hash and its salt, both hex. Deliberately
/// not `PartialEq`: a secret is checked with [`verify_secret`], never by
/// comparing hashes.
#[derive(Clone)]
pub struct HashedSecret {
    pub hash: String,
    pub salt: String,
}

impl std::fmt::Debug for HashedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashedSecret([redacted])")
    }
}

/// The seed's parameters: N = 2^14, r = 8, p = 1, 32-byte output.
fn scrypt_params() -> scrypt::Params {
    #[allow(clippy::expect_used)] // constant, valid parameters
    scrypt::Params::new(14, 8, 1, 32).expect("valid scrypt parameters")
}

fn scrypt_raw(secret: &str, salt: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    #[allow(clippy::expect_used)] // the output length matches the parameters
    scrypt::scrypt(secret.as_bytes(), salt, &scrypt_params(), &mut out).expect("32-byte output");
    out
}

/// Hashes a secret with a fresh 32-byte salt. Costs tens of milliseconds:
/// call it off the async executor (`spawn_blocking`).
pub fn hash_secret(secret: &str) -> HashedSecret {
    let mut salt = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut salt);
    HashedSecret {
        hash: hex::encode(scrypt_raw(secret, &salt)),
        salt: hex::encode(salt),
    }
}

/// Checks a secret against a stored hash + salt in constant time. Malformed
/// stored values verify nothing.
pub fn verify_secret(secret: &str, stored: &HashedSecret) -> bool {
    let (Ok(salt), Ok(expected)) = (hex::decode(&stored.salt), hex::decode(&stored.hash)) else {
        return false;
    };
    ct_eq(&scrypt_raw(secret, &salt), &expected)
}

/// Runs `hash_secret` on the blocking pool.
pub async fn hash_secret_blocking(secret: String) -> HashedSecret {
    match tokio::task::spawn_blocking(move || hash_secret(&secret)).await {
        Ok(h) => h,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Runs `verify_secret` on the blocking pool.
pub async fn verify_secret_blocking(secret: String, stored: HashedSecret) -> bool {
    tokio::task::spawn_blocking(move || verify_secret(&secret, &stored))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_prefix_and_256_bits() {
        let t = random_token(ACCESS_TOKEN_PREFIX);
        assert!(t.starts_with("agpt_xt_"));
        assert_eq!(URL_SAFE_NO_PAD.decode(&t[8..]).unwrap().len(), 32);
        assert_ne!(t, random_token(ACCESS_TOKEN_PREFIX));
    }

    #[test]
    fn time_ordered_ids_sort_by_time() {
        let a = time_ordered_id(1_800_000_000_000);
        let b = time_ordered_id(1_800_000_000_001);
        assert_eq!(a.len(), 32);
        assert!(a < b);
        assert_ne!(time_ordered_id(5), time_ordered_id(5), "random tail");
    }

    #[test]
    fn scrypt_round_trip_with_seed_format() {
        let h = hash_secret("agpt_secret_abc");
        assert_eq!(h.hash.len(), 64);
        assert_eq!(h.salt.len(), 64);
        assert!(verify_secret("agpt_secret_abc", &h));
        assert!(!verify_secret("agpt_secret_abd", &h));
        let garbage = HashedSecret {
            hash: "zz".into(),
            salt: h.salt.clone(),
        };
        assert!(!verify_secret("agpt_secret_abc", &garbage));
    }
}
