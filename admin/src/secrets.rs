//! `hash-secret` and `validate-secret`: scrypt in exactly the server's format
//! (hex hash and hex salt, N = 2^14, r = 8, p = 1, 32 bytes).

use super::{AdminError, AdminResult, Outcome};
use crate::crypto::{hash_secret, verify_secret, HashedSecret};

pub fn hash(secret: &str) -> AdminResult<Outcome> {
    if secret.is_empty() {
        return Err(AdminError::Invalid("the secret is empty".into()));
    }
    let hashed = hash_secret(secret);
    println!("hash: {}", hashed.hash);
    println!("salt: {}", hashed.salt);
    Ok(Outcome::Success)
}

fn check_hex(what: &str, value: &str) -> AdminResult<()> {
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(AdminError::Invalid(format!(
            "the {what} must be 64 hex characters, as hash-secret prints it"
        )))
    }
}

pub fn validate(secret: &str, hash: &str, salt: &str) -> AdminResult<Outcome> {
    check_hex("hash", hash)?;
    check_hex("salt", salt)?;
    let stored = HashedSecret {
        hash: hash.to_owned(),
        salt: salt.to_owned(),
    };
    if verify_secret(secret, &stored) {
        println!("valid");
        Ok(Outcome::Success)
    } else {
        println!("invalid: the secret does not match this hash and salt");
        Ok(Outcome::Negative)
    }
}
