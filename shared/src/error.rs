//! The one error shape every endpoint answers with: `{error, error_description}`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Error codes: RFC 6749 §4.1.2.1 / §5.2 and RFC 7009 ones first, then the few
/// this server adds for its non-OAuth endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedTokenType,
    InvalidScope,
    AccessDenied,
    UnsupportedResponseType,
    ServerError,
    TemporarilyUnavailable,
    /// No such resource (an unknown or disabled app, an unknown path).
    NotFound,
    /// No valid session, or wrong email/password.
    Unauthorized,
    /// Signed in, but not allowed (e.g. a cross-site request).
    Forbidden,
    /// The request conflicts with existing data (an email already registered).
    Conflict,
    /// Too many attempts; try again later.
    TooManyRequests,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// The consent API: the redirect URI is not one the client registered.
    RedirectUriNotRegistered,
    /// The consent API: a real scope the client may not request.
    ScopeNotAllowed,
    /// RFC 8707 §2: a resource that is not one we issue tokens for.
    InvalidTarget,
    /// RFC 7591 §3.2.2.
    InvalidRedirectUri,
    /// RFC 7591 §3.2.2.
    InvalidClientMetadata,
    /// OpenID Connect Core §3.1.2.6: `prompt=none` and nobody signed in.
    LoginRequired,
    /// OpenID Connect Core §3.1.2.6: `prompt=none` and no approval yet.
    ConsentRequired,
    /// RFC 6750 §3.1: the bearer token is not (or no longer) valid.
    InvalidToken,
    /// RFC 6750 §3.1: the token lacks a scope this call needs.
    InsufficientScope,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Conflict => "conflict",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RedirectUriNotRegistered => "redirect_uri_not_registered",
            ErrorCode::ScopeNotAllowed => "scope_not_allowed",
            ErrorCode::InvalidTarget => "invalid_target",
            ErrorCode::InvalidRedirectUri => "invalid_redirect_uri",
            ErrorCode::InvalidClientMetadata => "invalid_client_metadata",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
        }
    }

    /// Every code, for reading one back from its wire name.
    pub const ALL: [ErrorCode; 28] = [
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidClient,
        ErrorCode::InvalidGrant,
        ErrorCode::UnauthorizedClient,
        ErrorCode::UnsupportedGrantType,
        ErrorCode::UnsupportedTokenType,
        ErrorCode::InvalidScope,
        ErrorCode::AccessDenied,
        ErrorCode::UnsupportedResponseType,
        ErrorCode::ServerError,
        ErrorCode::TemporarilyUnavailable,
        ErrorCode::NotFound,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::Conflict,
        ErrorCode::TooManyRequests,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RedirectUriNotRegistered,
        ErrorCode::ScopeNotAllowed,
        ErrorCode::InvalidTarget,
        ErrorCode::InvalidRedirectUri,
        ErrorCode::InvalidClientMetadata,
        ErrorCode::LoginRequired,
        ErrorCode::ConsentRequired,
        ErrorCode::InvalidToken,
        ErrorCode::InsufficientScope,
    ];

    /// The code with this wire name, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Self> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == name)
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
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()), "serde agrees");
        }
        assert_eq!(ErrorCode::from_name("no_such_code"), None);
    }
}
