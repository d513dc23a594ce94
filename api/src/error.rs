//! The HTTP layer's one error type and its one `IntoResponse`: every failure
//! answers `{error, error_description}`; internal ones are logged, never shown.
//! Every other layer's error converts into it here, once.

use crate::domain::Rejection;
use crate::service::accounts::AccountError;
use crate::service::authorize::AuthorizeError;
use crate::service::client_auth::ClientAuthError;
use crate::service::clients::ClientError;
use crate::service::logout::LogoutError;
use crate::service::token::TokenError;
use crate::service::tokens::TokensError;
use crate::service::userinfo::UserInfoError;
use crate::service::Failure;
use crate::store::StoreError;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::{AuthorizeProblem, ErrorBody, ErrorCode, TokenRequestProblem};
use std::borrow::Cow;

pub type ApiResult<T> = Result<T, ApiError>;

type Text = Cow<'static, str>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 with an OAuth or consent-API code (bad input of any kind).
    #[error("{1}")]
    BadRequest(ErrorCode, Text),
    /// Client authentication failed (RFC 6749 §5.2): 401 with
    /// `WWW-Authenticate` when the client tried HTTP Basic or sent no
    /// credentials at all, 400 when it sent them in the body.
    #[error("{description}")]
    InvalidClient { challenge: bool, description: Text },
    /// A protected resource refusing its bearer token (RFC 6750 §3): 401
    /// (no token: no error code; a bad one: `invalid_token`) or 403
    /// (`insufficient_scope`), with the `WWW-Authenticate: Bearer` challenge.
    #[error("{description}")]
    Bearer {
        code: Option<ErrorCode>,
        description: Text,
    },
    /// 401: no session, or wrong email/password.
    #[error("{0}")]
    Unauthorized(Text),
    /// 403.
    #[error("{0}")]
    Forbidden(Text),
    /// 404.
    #[error("{0}")]
    NotFound(Text),
    /// 409.
    #[error("{0}")]
    Conflict(Text),
    /// 429 with `Retry-After`.
    #[error("too many attempts")]
    TooManyRequests { retry_after: i64 },
    /// 413.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 503 `temporarily_unavailable` with `Retry-After`: we are overloaded
    /// (or a dependency is down); the same request may succeed shortly.
    #[error("temporarily unavailable")]
    Unavailable { retry_after: i64 },
    /// 500: logged with detail, answered generically.
    #[error(transparent)]
    Store(StoreError),
    /// 500: logged with detail, answered generically.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid_request(description: impl Into<Text>) -> Self {
        ApiError::BadRequest(ErrorCode::InvalidRequest, description.into())
    }

    /// A rule's refusal as a 400 with its own code and words.
    pub fn rejected(r: &impl Rejection) -> Self {
        ApiError::BadRequest(r.code(), r.to_string().into())
    }

    fn parts(&self) -> (StatusCode, ErrorCode, Text) {
        match self {
            ApiError::BadRequest(code, d) => (StatusCode::BAD_REQUEST, *code, d.clone()),
            ApiError::InvalidClient {
                challenge,
                description,
            } => (
                if *challenge {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::BAD_REQUEST
                },
                ErrorCode::InvalidClient,
                description.clone(),
            ),
            // RFC 6750 §3.1: each error code has its status.
            ApiError::Bearer { code, description } => (
                match code {
                    Some(ErrorCode::InsufficientScope) => StatusCode::FORBIDDEN,
                    Some(ErrorCode::InvalidRequest) => StatusCode::BAD_REQUEST,
                    _ => StatusCode::UNAUTHORIZED,
                },
                code.unwrap_or(ErrorCode::InvalidToken),
                description.clone(),
            ),
            ApiError::Unauthorized(d) => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, d.clone())
            }
            ApiError::Forbidden(d) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden, d.clone()),
            ApiError::NotFound(d) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, d.clone()),
            ApiError::Conflict(d) => (StatusCode::CONFLICT, ErrorCode::Conflict, d.clone()),
            ApiError::TooManyRequests { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyRequests,
                format!("Too many failed attempts. Try again in {retry_after} seconds.").into(),
            ),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "The request body is too large.".into(),
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "This method is not allowed on this path.".into(),
            ),
            ApiError::Store(StoreError::Unavailable(_)) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::TemporarilyUnavailable,
                "The service is temporarily unavailable. Please try again shortly.".into(),
            ),
            ApiError::Unavailable { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::TemporarilyUnavailable,
                "The server is busy. Please try again in a moment.".into(),
            ),
            ApiError::Store(_) | ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::ServerError,
                "The server hit an unexpected error. Please try again.".into(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, description) = self.parts();
        let database_down = matches!(self, ApiError::Store(StoreError::Unavailable(_)));
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // Our own failure: worth an operator's attention, every time.
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, Json(ErrorBody::new(code, description))).into_response();
        let headers = response.headers_mut();
        // Error bodies of token endpoints must not be cached (RFC 6749 §5.2);
        // no error anywhere is worth caching.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            ApiError::InvalidClient {
                challenge: true, ..
            } => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"oauth\", charset=\"UTF-8\""),
                );
            }
            ApiError::Bearer { code, .. } => {
                let challenge = match code {
                    None => "Bearer realm=\"oauth\"".to_owned(),
                    Some(ErrorCode::InsufficientScope) => {
                        "Bearer realm=\"oauth\", error=\"insufficient_scope\", scope=\"openid\""
                            .to_owned()
                    }
                    Some(c) => format!("Bearer realm=\"oauth\", error=\"{}\"", c.as_str()),
                };
                if let Ok(v) = HeaderValue::from_str(&challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            ApiError::TooManyRequests { retry_after } | ApiError::Unavailable { retry_after } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.max(1).to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        if database_down {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            // Logged once per outage, not per request (see `state::Health`).
            response.extensions_mut().insert(DatabaseDown);
        }
        response
    }
}

/// Marks a response that failed because the database was unreachable.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseDown;

impl From<crate::hasher::Busy> for ApiError {
    fn from(_: crate::hasher::Busy) -> Self {
        ApiError::Unavailable { retry_after: 1 }
    }
}

// Each service's error, mapped once. A database outage anywhere below is
// `StoreError::Unavailable`, hence 503, by construction.

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Store(e) => e.into(),
            Failure::Key(e) => e.into(),
            Failure::Busy(e) => e.into(),
            Failure::Limited { retry_after } => ApiError::TooManyRequests { retry_after },
            Failure::Internal(why) => ApiError::Internal(why),
        }
    }
}

impl From<ClientAuthError> for ApiError {
    fn from(e: ClientAuthError) -> Self {
        match e {
            ClientAuthError::Refused { rejection, basic } => ApiError::InvalidClient {
                challenge: basic,
                description: rejection.to_string().into(),
            },
            ClientAuthError::Failure(f) => f.into(),
        }
    }
}

impl From<ClientError> for ApiError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Document(r) => ApiError::InvalidClient {
                challenge: false,
                description: r.to_string().into(),
            },
            ClientError::Registration(r) => ApiError::rejected(&r),
            ClientError::NotMetadata(_) => {
                ApiError::BadRequest(ErrorCode::InvalidClientMetadata, e.to_string().into())
            }
            ClientError::RegistrationOff => ApiError::NotFound(
                "Dynamic client registration is off on this server; ask its operator to register your client."
                    .into(),
            ),
            ClientError::Full => ApiError::Unavailable { retry_after: 3600 },
            ClientError::Failure(f) => f.into(),
        }
    }
}

impl From<AuthorizeError> for ApiError {
    fn from(e: AuthorizeError) -> Self {
        match e {
            AuthorizeError::Shown(p) => p.into(),
            AuthorizeError::Choice(p) => ApiError::invalid_request(p.to_string()),
            AuthorizeError::TooManyResources => ApiError::invalid_request(e.to_string()),
            AuthorizeError::Unvouched(code, description) => {
                ApiError::BadRequest(code, description.into())
            }
            AuthorizeError::LoginRequired => {
                ApiError::BadRequest(ErrorCode::LoginRequired, e.to_string().into())
            }
            AuthorizeError::ConsentRequired => {
                ApiError::BadRequest(ErrorCode::ConsentRequired, e.to_string().into())
            }
            AuthorizeError::Client(e) => e.into(),
            AuthorizeError::Failure(f) => f.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::SignUpOff => ApiError::Forbidden(e.to_string().into()),
            AccountError::Rejected(r) => ApiError::rejected(&r),
            AccountError::ControlCharacters => ApiError::invalid_request(e.to_string()),
            AccountError::WrongCredentials => ApiError::Unauthorized(e.to_string().into()),
            AccountError::NoSuchApp => ApiError::NotFound(e.to_string().into()),
            AccountError::Failure(f) => f.into(),
        }
    }
}

impl From<LogoutError> for ApiError {
    fn from(e: LogoutError) -> Self {
        match e {
            LogoutError::NotUrlencoded | LogoutError::Form(_) => {
                ApiError::invalid_request(e.to_string())
            }
            LogoutError::Rejected(r) => ApiError::rejected(&r),
            LogoutError::Failure(f) => f.into(),
        }
    }
}

impl From<UserInfoError> for ApiError {
    fn from(e: UserInfoError) -> Self {
        let code = match e {
            UserInfoError::InvalidToken => ErrorCode::InvalidToken,
            UserInfoError::NeedsOpenId => ErrorCode::InsufficientScope,
            UserInfoError::Failure(f) => return f.into(),
        };
        ApiError::Bearer {
            code: Some(code),
            description: e.to_string().into(),
        }
    }
}

impl From<TokensError> for ApiError {
    fn from(e: TokensError) -> Self {
        match e {
            TokensError::TokenRequired => ApiError::invalid_request(e.to_string()),
            TokensError::NotAClient => ApiError::InvalidClient {
                challenge: false,
                description: e.to_string().into(),
            },
            TokensError::ClientAuth(e) => e.into(),
            TokensError::Client(e) => e.into(),
            TokensError::Failure(f) => f.into(),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Code(r) => ApiError::rejected(&r),
            TokenError::Refresh(r) => ApiError::rejected(&r),
            TokenError::Target(r) => ApiError::rejected(&r),
            TokenError::Unauthorized(_) => {
                ApiError::BadRequest(ErrorCode::UnauthorizedClient, e.to_string().into())
            }
            TokenError::ClientAuth(e) => e.into(),
            TokenError::Client(e) => e.into(),
            TokenError::Failure(f) => f.into(),
        }
    }
}

/// A database that cannot be reached while keys are read or made is an
/// outage like any other (503); every other key failure is ours (500).
impl From<crate::keys::KeyError> for ApiError {
    fn from(e: crate::keys::KeyError) -> Self {
        match e {
            crate::keys::KeyError::Store(e) => e.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(what) => {
                let mut what = what.to_owned();
                if let Some(first) = what.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                ApiError::Conflict(format!("{what} already exists.").into())
            }
            other => ApiError::Store(other),
        }
    }
}

/// Authorization problems that are shown (never redirected) answer 400 with
/// the code the consent screen decides by.
impl From<AuthorizeProblem> for ApiError {
    fn from(p: AuthorizeProblem) -> Self {
        ApiError::BadRequest(p.code(), p.to_string().into())
    }
}

impl From<TokenRequestProblem> for ApiError {
    fn from(p: TokenRequestProblem) -> Self {
        ApiError::BadRequest(p.code(), p.to_string().into())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::invalid_request("Content-Type must be application/json.")
            }
            JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge
            }
            other => ApiError::invalid_request(format!("Invalid JSON body: {}", other.body_text())),
        }
    }
}

impl From<FormRejection> for ApiError {
    fn from(r: FormRejection) -> Self {
        match r {
            FormRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge
            }
            other => ApiError::invalid_request(format!("Invalid form body: {}", other.body_text())),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::invalid_request(format!("Invalid path: {}", r.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::invalid_request(format!("Invalid query: {}", r.body_text()))
    }
}
