//! The error screens: one kind per row of the error table, each with a title,
//! an explanation and whether Retry makes sense.

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
        match self {
            ProblemKind::InvalidRequest => "Invalid Request",
            ProblemKind::AppNotFound => "Application Not Found",
            ProblemKind::InvalidRedirectUri => "Invalid Redirect URI",
            ProblemKind::InvalidScopes => "Invalid Scopes",
            ProblemKind::Refused => "Request Refused",
            ProblemKind::Unavailable => "Something Went Wrong",
            ProblemKind::PageNotFound => "Page Not Found",
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            ProblemKind::InvalidRequest => {
                "The application that sent you here made an authorization request we can't process. Please contact its developer."
            }
            ProblemKind::AppNotFound => {
                "The application that sent you here is not registered, or has been disabled. No access was granted."
            }
            ProblemKind::InvalidRedirectUri => {
                "The application asked us to send you to an address it has not registered. For your safety we won't send you there. No access was granted."
            }
            ProblemKind::InvalidScopes => {
                "The application asked for permissions it is not allowed to request. No access was granted. Please contact its developer."
            }
            ProblemKind::Refused => {
                "This request did not come from this site, so it was refused. Open the link from the application again."
            }
            ProblemKind::Unavailable => {
                "We couldn't reach the authorization server, or it failed to answer. Nothing was granted. Please try again."
            }
            ProblemKind::PageNotFound => "There is no page at this address.",
        }
    }

    /// Whether trying the same thing again could succeed.
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
}

impl Problem {
    pub fn new(kind: ProblemKind) -> Self {
        Problem { kind, detail: None }
    }

    pub fn with_detail(kind: ProblemKind, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Problem {
            kind,
            detail: (!detail.trim().is_empty()).then_some(detail),
        }
    }
}
