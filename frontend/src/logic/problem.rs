//! The error screens: one kind per row of the error table, each with a title,
//! an explanation and whether Retry makes sense.

use super::text::t;

/// Which error screen to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Required authorization parameters missing or malformed.
    InvalidRequest,
    /// Unknown or disabled `client_id`.
    AppNotFound,
    /// `redirect_uri` not registered for the app: never redirect.
    InvalidRedirectUri,
    /// Known scopes the app is not allowed to request.
    InvalidScopes,
    /// The server refused the request as cross-site (403).
    Refused,
    /// No answer or a server-side failure: Retry may help.
    Unavailable,
    /// An unknown path in this app.
    PageNotFound,
}

impl ProblemKind {
    pub fn title(self) -> &'static str {
        let t = t();
        match self {
            ProblemKind::InvalidRequest => t.title_invalid_request,
            ProblemKind::AppNotFound => t.title_app_not_found,
            ProblemKind::InvalidRedirectUri => t.title_invalid_redirect,
            ProblemKind::InvalidScopes => t.title_invalid_scopes,
            ProblemKind::Refused => t.title_refused,
            ProblemKind::Unavailable => t.title_unavailable,
            ProblemKind::PageNotFound => t.title_not_found,
        }
    }

    pub fn explanation(self) -> &'static str {
        let t = t();
        match self {
            ProblemKind::InvalidRequest => t.explain_invalid_request,
            ProblemKind::AppNotFound => t.explain_app_not_found,
            ProblemKind::InvalidRedirectUri => t.explain_invalid_redirect,
            ProblemKind::InvalidScopes => t.explain_invalid_scopes,
            ProblemKind::Refused => t.explain_refused,
            ProblemKind::Unavailable => t.explain_unavailable,
            ProblemKind::PageNotFound => t.explain_not_found,
        }
    }

    /// The kind's name, for `data-problem` (tests and bug reports).
    pub fn id(self) -> &'static str {
        match self {
            ProblemKind::InvalidRequest => "InvalidRequest",
            ProblemKind::AppNotFound => "AppNotFound",
            ProblemKind::InvalidRedirectUri => "InvalidRedirectUri",
            ProblemKind::InvalidScopes => "InvalidScopes",
            ProblemKind::Refused => "Refused",
            ProblemKind::Unavailable => "Unavailable",
            ProblemKind::PageNotFound => "PageNotFound",
        }
    }

    pub fn retryable(self) -> bool {
        matches!(self, ProblemKind::Unavailable)
    }
}

/// An error screen: its kind plus the specific detail (which parameter is
/// missing, which scopes are not allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: Option<String>,
    /// The host of an unvouched app's verified redirect URI, where the
    /// problem goes only if the person clicks to return (RFC 9700 §4.11.2).
    pub back: Option<String>,
}

impl Problem {
    pub fn new(kind: ProblemKind) -> Self {
        Problem {
            kind,
            detail: None,
            back: None,
        }
    }

    pub fn with_detail(kind: ProblemKind, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Problem {
            kind,
            detail: (!detail.trim().is_empty()).then_some(detail),
            back: None,
        }
    }
}
