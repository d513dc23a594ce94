//! The one error shape every endpoint answers with: `{error, error_description}`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Error codes: RFC 6749 §4.1.2.1 / §5.2 and RFC 7009 ones first, then the few
/// this server adds for its non-OAuth endpoints. Each is named once, with
/// its wire name: the enum, `as_str`, `ALL` and serde all come from here.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum ErrorCode {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, for reading one back from its wire name.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }
        }
    };
}

error_codes! {
    InvalidRequest = "invalid_request",
    InvalidClient = "invalid_client",
    InvalidGrant = "invalid_grant",
    UnauthorizedClient = "unauthorized_client",
    UnsupportedGrantType = "unsupported_grant_type",
    UnsupportedTokenType = "unsupported_token_type",
    InvalidScope = "invalid_scope",
    AccessDenied = "access_denied",
    UnsupportedResponseType = "unsupported_response_type",
    ServerError = "server_error",
    TemporarilyUnavailable = "temporarily_unavailable",
    /// No such resource (an unknown or disabled app, an unknown path).
    NotFound = "not_found",
    /// No valid session, or wrong email/password.
    Unauthorized = "unauthorized",
    /// Signed in, but not allowed (e.g. a cross-site request).
    Forbidden = "forbidden",
    /// The request conflicts with existing data (an email already registered).
    Conflict = "conflict",
    /// Too many attempts; try again later.
    TooManyRequests = "too_many_requests",
    MethodNotAllowed = "method_not_allowed",
    PayloadTooLarge = "payload_too_large",
    UnsupportedMediaType = "unsupported_media_type",
    /// The consent API: the redirect URI is not one the client registered.
    RedirectUriNotRegistered = "redirect_uri_not_registered",
    /// The consent API: a real scope the client may not request.
    ScopeNotAllowed = "scope_not_allowed",
    /// RFC 8707 §2: a resource that is not one we issue tokens for.
    InvalidTarget = "invalid_target",
    /// RFC 7591 §3.2.2.
    InvalidRedirectUri = "invalid_redirect_uri",
    /// RFC 7591 §3.2.2.
    InvalidClientMetadata = "invalid_client_metadata",
    /// OpenID Connect Core §3.1.2.6: `prompt=none` and nobody signed in.
    LoginRequired = "login_required",
    /// OpenID Connect Core §3.1.2.6: `prompt=none` and no approval yet.
    ConsentRequired = "consent_required",
    /// RFC 6750 §3.1: the bearer token is not (or no longer) valid.
    InvalidToken = "invalid_token",
    /// RFC 6750 §3.1: the token lacks a scope this call needs.
    InsufficientScope = "insufficient_scope",
}

impl ErrorCode {
    /// The code with this wire name, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Self> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Kept as a string so a client never fails to parse a code it does not know.
    pub error: String,
    pub error_description: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        ErrorBody {
            error: code.as_str().to_owned(),
            error_description: description.into(),
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        ErrorCode::from_name(&self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_wire_name() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()), "serde agrees");
        }
        assert_eq!(ErrorCode::from_name("no_such_code"), None);
    }
}
