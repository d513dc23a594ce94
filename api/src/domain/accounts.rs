//! Rules for account credentials.

/// Passwords shorter than this are refused at sign-up (NIST SP 800-63B's minimum).
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longer ones are refused so scrypt's input stays bounded.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Lower-cases and trims an email, or says why it is not one.
pub fn normalize_email(email: &str) -> Result<String, &'static str> {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.split_once('@') else {
        return Err("Enter a valid email address.");
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
        Err("Enter a valid email address.")
    }
}

pub fn check_new_password(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        Err(format!(
            "The password must have at least {MIN_PASSWORD_LEN} characters."
        ))
    } else if password.len() > MAX_PASSWORD_LEN {
        Err(format!(
            "The password must have at most {MAX_PASSWORD_LEN} bytes."
        ))
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
    }

    #[test]
    fn passwords_have_bounds() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough").is_ok());
        assert!(check_new_password(&"x".repeat(2000)).is_err());
    }
}
