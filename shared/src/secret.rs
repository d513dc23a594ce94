//! Secrets as types: every code, token, client secret, password, session id
//! and PKCE verifier is one of these, so none can be printed, logged or
//! compared in variable time by accident.
//!
//! Each type is `#[serde(transparent)]` on the wire, prints as
//! `Name([redacted])`, hands out its value only through an explicit
//! `secret()`, and compares in constant time. `PkceVerifier` is not `Clone`:
//! a verifier is used once, and a copy would be a bug.

use subtle::ConstantTimeEq;

/// Constant-time equality of two byte strings (their lengths are not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Defines a secret newtype over `String`. `secret_type!(Clone Name)` also
/// derives `Clone`.
macro_rules! secret_type {
    ($(#[$meta:meta])* Clone $name:ident) => {
        secret_type!(@define $(#[$meta])* #[derive(Clone)] $name);
    };
    ($(#[$meta:meta])* $name:ident) => {
        secret_type!(@define $(#[$meta])* $name);
    };
    (@define $(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The secret itself: every use is explicit and easy to find.
            pub fn secret(&self) -> &str {
                &self.0
            }

            pub fn into_secret(self) -> String {
                self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                $crate::secret::ct_eq(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        impl Eq for $name {}
    };
}

secret_type!(
    /// An authorization code (`agpt_code_…`, RFC 6749 §4.1.2).
    Clone AuthorizationCode
);
secret_type!(
    /// An access token (`agpt_xt_…`).
    Clone AccessToken
);
secret_type!(
    /// A refresh token (`agpt_rt_…`).
    Clone RefreshToken
);
secret_type!(
    /// A confidential client's secret (`agpt_secret_…`).
    Clone ClientSecret
);
secret_type!(
    /// The random id in the session cookie.
    Clone SessionId
);
secret_type!(
    /// A person's password, as typed.
    Clone Password
);
secret_type!(
    /// A token someone presents for introspection or revocation: one of our
    /// access or refresh tokens, or anything else.
    Clone PresentedToken
);
secret_type!(
    /// A PKCE code verifier (RFC 7636 §4.1): used once, never copied.
    PkceVerifier
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_and_compare_by_value() {
        let token = AccessToken::new("agpt_xt_abc");
        assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
        assert_eq!(
            format!("{:?}", PkceVerifier::new("v")),
            "PkceVerifier([redacted])"
        );
        assert_eq!(token, AccessToken::new("agpt_xt_abc"));
        assert_ne!(token, AccessToken::new("agpt_xt_abd"));
        assert_ne!(token, AccessToken::new("agpt_xt_ab"));
        assert_eq!(token.secret(), "agpt_xt_abc");
    }

    #[test]
    fn secrets_are_plain_strings_on_the_wire() {
        let json = serde_json::to_string(&RefreshToken::new("agpt_rt_x")).unwrap();
        assert_eq!(json, "\"agpt_rt_x\"");
        let back: RefreshToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back.secret(), "agpt_rt_x");
    }
}
