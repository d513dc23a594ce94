//! Rules for account credentials.

use super::Rejection;
use crate::crypto::HashedSecret;
use shared::ErrorCode;
use std::fmt;

/// Passwords shorter than this are refused at sign-up (NIST SP 800-63B's minimum).
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longer ones are refused so scrypt's input stays bounded.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// A person as stored, with the password hash for verification.
#[derive(Debug, Clone)]
pub struct User {
    pub user_id: String,
    pub email: String,
    pub password: HashedSecret,
}

/// Why sign-up refuses the credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRejection {
    InvalidEmail,
    PasswordTooShort,
    PasswordTooLong,
}

impl Rejection for AccountRejection {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidRequest
    }
}

impl fmt::Display for AccountRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountRejection::InvalidEmail => f.write_str("Enter a valid email address."),
            AccountRejection::PasswordTooShort => write!(
                f,
                "The password must have at least {MIN_PASSWORD_LEN} characters."
            ),
            AccountRejection::PasswordTooLong => {
                write!(
                    f,
                    "The password must have at most {MAX_PASSWORD_LEN} bytes."
                )
            }
        }
    }
}

/// Lower-cases and trims an email, or says why it is not one.
pub fn normalize_email(email: &str) -> Result<String, AccountRejection> {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.split_once('@') else {
        return Err(AccountRejection::InvalidEmail);
    };
    let ok = !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(email)
    } else {
        Err(AccountRejection::InvalidEmail)
    }
}

/// The form of an email that sign-in looks up and counts failures under:
/// the sign-up normalisation, or (for something that is no email at all)
/// the same trimming and lower-casing, so variants of one string share a count.
pub fn login_key(email: &str) -> String {
    normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase())
}

pub fn check_new_password(password: &str) -> Result<(), AccountRejection> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        Err(AccountRejection::PasswordTooShort)
    } else if password.len() > MAX_PASSWORD_LEN {
        Err(AccountRejection::PasswordTooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_or_refused() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").as_deref(),
            Ok("ada@example.com")
        );
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "a b@c.d",
            "a@b@c",
            "ada@.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(login_key(" Ada@Example.com"), "ada@example.com");
        assert_eq!(login_key(" NOT AN EMAIL "), "not an email");
    }

    #[test]
    fn passwords_have_bounds() {
        assert_eq!(
            check_new_password("short"),
            Err(AccountRejection::PasswordTooShort)
        );
        assert!(check_new_password("long enough").is_ok());
        assert_eq!(
            check_new_password(&"x".repeat(2000)),
            Err(AccountRejection::PasswordTooLong)
        );
    }
}
