//! What can go wrong with a call to our own API, as plain data.

use super::text::t;
use shared::ErrorBody;

/// The failure of one API call. `api.rs` builds these; `flow` decides what
/// the person sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got an answer (offline, server down, CORS, aborted).
    Network,
    /// The server answered with a non-success status. `body` is `None` when
    /// the answer was not our JSON error shape (a proxy's HTML page, say).
    Status {
        status: u16,
        body: Option<ErrorBody>,
    },
    /// A success status whose body did not parse as the expected type.
    Decode,
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The `error` code of the body, when there is one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status { body: Some(b), .. } => Some(b.error.as_str()),
            _ => None,
        }
    }

    /// The `error_description` of the body, when there is one.
    pub fn description(&self) -> Option<&str> {
        match self {
            ApiError::Status { body: Some(b), .. } => Some(b.error_description.as_str()),
            _ => None,
        }
    }

    /// Worth trying again unchanged: no answer, a server-side failure, or a
    /// body we could not read.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Decode => true,
            ApiError::Status { status, .. } => *status >= 500 || *status == 429,
        }
    }

    /// The message to show under a form field or button row.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Network => t().network_down.into(),
            ApiError::Decode => t().bad_answer.into(),
            ApiError::Status { status, body } => match body {
                Some(b) if *status < 500 && !b.error_description.is_empty() => {
                    b.error_description.clone()
                }
                _ if *status == 429 => t().too_many.into(),
                _ => t().our_side.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ErrorCode;

    fn status(status: u16, code: ErrorCode, d: &str) -> ApiError {
        ApiError::Status {
            status,
            body: Some(ErrorBody::new(code, d)),
        }
    }

    #[test]
    fn transient_failures_are_no_answer_5xx_and_rate_limits() {
        assert!(ApiError::Network.is_transient());
        assert!(status(503, ErrorCode::ServerError, "x").is_transient());
        assert!(status(429, ErrorCode::TooManyRequests, "x").is_transient());
        assert!(!status(400, ErrorCode::InvalidRequest, "x").is_transient());
        assert!(!status(404, ErrorCode::NotFound, "x").is_transient());
    }

    #[test]
    fn user_message_shows_client_errors_but_hides_server_internals() {
        assert_eq!(
            status(409, ErrorCode::Conflict, "That email is already registered").user_message(),
            "That email is already registered"
        );
        let internal = status(500, ErrorCode::ServerError, "db exploded").user_message();
        assert!(!internal.contains("db"), "{internal}");
    }
}
