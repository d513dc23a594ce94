//! Request and response bodies of every endpoint, as plain serde types.
//!
//! Request types reject unknown fields (a typo is an error, not a silent
//! default); OAuth endpoint requests do not, since RFC 6749 §3.1 and §3.2 say
//! unrecognised parameters MUST be ignored.

use crate::secret::{ClientSecret, Password, PresentedToken};
use crate::Scope;
use serde::{Deserialize, Serialize};

/// `POST /api/auth/signup` and `POST /api/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: Password,
}

/// `GET /api/auth/me`: who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    /// When this session signed in (Unix seconds): OpenID Connect's `auth_time`.
    #[serde(default)]
    pub auth_time: i64,
    /// How long ago that was, by the server's clock (for `max_age`).
    #[serde(default)]
    pub auth_age: i64,
}

/// The sign-out page's confirmation of an RP-initiated logout (OpenID
/// Connect RP-Initiated Logout 1.0 §2): the relying party's query exactly as
/// it arrived, which the server reads as it reads the request itself (one
/// parser, on the server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutConfirmation {
    pub query: String,
}

/// `GET /api/auth/config`: what the sign-in page may offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthConfig {
    pub signup_enabled: bool,
}

/// A scope and what it means, for the consent screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeInfo {
    pub name: String,
    pub description: String,
}

impl From<Scope> for ScopeInfo {
    fn from(s: Scope) -> Self {
        ScopeInfo {
            name: s.as_str().to_owned(),
            description: s.description().to_owned(),
        }
    }
}

/// `GET /api/oauth/app/{client_id}`: what the consent screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    pub client_id: String,
    pub name: String,
    pub description: String,
    pub logo_url: Option<String>,
    /// The scopes the app is allowed to request, each with its description;
    /// also what it gets when its request names none (RFC 6749 §3.3).
    pub scopes: Vec<ScopeInfo>,
    /// The scopes the app may ask for without having registered them,
    /// worded like `scopes`: `openid`, `profile`, `email` and
    /// `offline_access` for every app; the whole catalogue for an app nobody
    /// vouched for (the person decides on the screen).
    #[serde(default)]
    pub open_scopes: Vec<ScopeInfo>,
    /// Whether PKCE `plain` is acceptable for this app (S256 always is).
    pub plain_pkce_allowed: bool,
    /// How the app was registered; only `operator` is verified.
    pub registration: Registration,
    /// For an app named by its metadata document URL: that URL's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_host: Option<String>,
    /// Every redirect URI it registered is a loopback one: it runs on the
    /// person's own device.
    pub runs_on_device: bool,
    /// The requested resources this server knows, with their names, in the
    /// spelling the request used (`https://host/` for a registered `https://host`).
    #[serde(default)]
    pub resources: Vec<ResourceInfo>,
    /// What the signed-in person already allowed this app (its consent
    /// record, read as an `Approval` by `granted()`), by scope name; empty
    /// when signed out or never allowed. Names, not `ScopeSet`: typed here
    /// they cost the consent screen's download 38 bytes it does not have.
    #[serde(default)]
    pub granted_scopes: Vec<String>,
    /// The resources of that consent; those the request names, in its spelling.
    #[serde(default)]
    pub granted_resources: Vec<crate::protocol::ResourceUri>,
    /// Whether a request it fully covers may continue without the screen
    /// (a verified app, and the operator did not turn remembering off).
    #[serde(default)]
    pub remembers: bool,
}

/// One app with access to the person's account (`GET /api/account/apps`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedApp {
    pub client_id: String,
    pub name: String,
    pub logo_url: Option<String>,
    pub registration: Registration,
    /// The scopes allowed, with their descriptions.
    pub scopes: Vec<ScopeInfo>,
    /// The services its tokens are for, by name (or URI, if unnamed).
    #[serde(default)]
    pub resources: Vec<String>,
    /// Unix seconds: first allowed, last extended, last issued a token.
    pub granted_at: i64,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
}

/// `GET /api/account/apps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedApps {
    pub apps: Vec<ConnectedApp>,
}

impl AppInfo {
    /// The person's consent, as the remembered-consent rule reads it.
    pub fn granted(&self) -> crate::consent::Approval {
        crate::consent::Approval {
            scopes: self
                .granted_scopes
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect(),
            resources: self.granted_resources.clone(),
        }
    }

    /// What the app may ask for, for [`crate::AuthorizationRequest::parse`].
    pub fn policy(&self) -> crate::ClientPolicy {
        crate::ClientPolicy {
            allowed_scopes: self
                .scopes
                .iter()
                .filter_map(|s| s.name.parse().ok())
                .collect(),
            // The server lists here what else the app may ask for.
            extra_scopes: self
                .open_scopes
                .iter()
                .filter_map(|s| s.name.parse().ok())
                .collect(),
            plain_pkce_allowed: self.plain_pkce_allowed,
        }
    }
}

/// A service the person is asked to grant access to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceInfo {
    pub uri: String,
    pub name: String,
}

/// How a client came to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// Registered by an operator (`oauth-admin`): vouched for.
    Operator,
    /// Registered itself (RFC 7591): unverified.
    Dynamic,
    /// Identified by the URL of its metadata document: unverified.
    MetadataDocument,
}

impl Registration {
    pub fn is_verified(self) -> bool {
        self == Registration::Operator
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Operator => "operator",
            Registration::Dynamic => "dynamic",
            Registration::MetadataDocument => "metadata_document",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Registration::Operator,
            Registration::Dynamic,
            Registration::MetadataDocument,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The query of `GET /api/oauth/app/{client_id}`: with `redirect_uri`, the
/// server also says (400 `redirect_uri_not_registered`) when that URI is not
/// registered, so the consent screen can show the error before anyone signs
/// in or clicks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfoQuery {
    pub redirect_uri: Option<String>,
    /// The requested resources (repeated), to be named on the consent screen.
    #[serde(default, deserialize_with = "crate::protocol::one_or_many")]
    pub resource: Vec<String>,
}

/// The URL the browser must go to next: the app's registered redirect URI
/// with either a code or an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeResponse {
    pub redirect_url: String,
}

/// `POST /api/oauth/introspect` (RFC 7662 §2.1) and `POST /api/oauth/revoke`
/// (RFC 7009 §2.1). Form or JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenActionRequest {
    pub token: Option<PresentedToken>,
    pub token_type_hint: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
}

/// RFC 7662 §2.2. Inactive tokens carry only `active: false`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntrospectResponse {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub iat: Option<i64>,
    /// The token's type (RFC 7662 §2.2): `Bearer`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub token_type: Option<crate::token::TokenType>,
    /// The resources the token is for (RFC 7662 §2.2, RFC 8707); absent when none.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aud: Option<Vec<String>>,
}

/// RFC 8414 §2 authorization server metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub introspection_endpoint: String,
    pub revocation_endpoint: String,
    pub scopes_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub response_modes_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    pub authorization_response_iss_parameter_supported: bool,
    /// RFC 7591: where clients register themselves (absent when turned off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// draft-ietf-oauth-client-id-metadata-document: an https URL may be a client_id.
    #[serde(default)]
    pub client_id_metadata_document_supported: bool,
    /// OpenID Connect Discovery 1.0 §3 (in both documents).
    pub jwks_uri: String,
    pub userinfo_endpoint: String,
    pub end_session_endpoint: String,
    pub subject_types_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub claims_supported: Vec<String>,
    pub prompt_values_supported: Vec<String>,
    /// The consent screen's languages (chosen by `ui_locales`).
    pub ui_locales_supported: Vec<String>,
    pub claims_parameter_supported: bool,
    pub request_parameter_supported: bool,
    /// Discovery's default is true; we take no request_uri.
    pub request_uri_parameter_supported: bool,
}
