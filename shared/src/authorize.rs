//! The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3), parsed once
//! by the same functions in the browser and on the server, in the same order
//! and with the same words.
//!
//! Parsing has two stages because RFC 6749 §4.1.2.1 puts the client's
//! verification between them:
//! 1. [`AuthorizeParams::target`]: the client id, the redirect URI and the
//!    state. A problem here is shown to the person, never redirected: the
//!    redirect URI is not verified yet.
//! 2. The caller verifies the client and that the redirect URI is registered
//!    (the server in its database, the page by asking the server).
//! 3. [`AuthorizationRequest::parse`]: everything else, against what the
//!    client is allowed. A problem here is either sent back to the client
//!    through its verified redirect URI, or shown (the seed's error table
//!    says which); [`AuthorizeProblem::redirects`] tells.

use crate::error::ErrorCode;
use crate::protocol::{
    ClientId, CodeChallenge, CodeChallengeMethod, Decision, RedirectUri, ResourceUri, State,
};
use crate::scope::{Scope, ScopeSet};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The authorization request's parameters exactly as the client sent them.
/// RFC 6749 §3.1: parameters sent without a value count as omitted; unknown
/// parameters are ignored (they never get here).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Space-separated, as in the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    /// RFC 8707: the services the token is for; the one parameter that may repeat.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::protocol::one_or_many"
    )]
    pub resource: Vec<String>,
    /// OpenID Connect Core §3.1.2.1: echoed in the ID Token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Space-separated: `none`, `login`, `consent`, `select_account`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Seconds: a sign-in older than this must be repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    /// The email the sign-in form starts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    /// Preferred languages, space-separated BCP 47 tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales: Option<String>,
}

impl AuthorizeParams {
    /// The parameter names read from `/auth/authorize?…`.
    pub const NAMES: [&'static str; 13] = [
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "response_type",
        "resource",
        "nonce",
        "prompt",
        "max_age",
        "login_hint",
        "ui_locales",
    ];

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "client_id" => &mut self.client_id,
            "redirect_uri" => &mut self.redirect_uri,
            "scope" => &mut self.scope,
            "state" => &mut self.state,
            "code_challenge" => &mut self.code_challenge,
            "code_challenge_method" => &mut self.code_challenge_method,
            "response_type" => &mut self.response_type,
            "nonce" => &mut self.nonce,
            "prompt" => &mut self.prompt,
            "max_age" => &mut self.max_age,
            "login_hint" => &mut self.login_hint,
            "ui_locales" => &mut self.ui_locales,
            _ => return None,
        })
    }

    /// Collects the parameters from decoded query pairs by the shared form
    /// rules (`crate::form`): RFC 6749 §3.1, a parameter MUST NOT be
    /// repeated, but `resource` (RFC 8707 §2) may; unknown ones are ignored.
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, AuthorizeProblem> {
        let mut params = AuthorizeParams::default();
        for (name, values) in crate::form::group(pairs) {
            let Some(known) = Self::NAMES.into_iter().find(|n| *n == name) else {
                continue;
            };
            match params.slot(known) {
                // `resource`, the one list.
                None => params.resource = values,
                Some(slot) => {
                    let value = crate::form::single(name, values)
                        .map_err(|_| AuthorizeProblem::Repeated(known))?;
                    *slot = Some(value);
                }
            }
        }
        Ok(params)
    }

    /// Stage 1: who is asking, and where the answer goes.
    pub fn target(&self) -> Result<ClientTarget, AuthorizeProblem> {
        let client_id = match present(&self.client_id) {
            None => return Err(AuthorizeProblem::Missing("client_id")),
            Some(s) => ClientId::parse(s).ok_or(AuthorizeProblem::MalformedClientId)?,
        };
        let redirect_uri = match present(&self.redirect_uri) {
            None => return Err(AuthorizeProblem::Missing("redirect_uri")),
            Some(s) => RedirectUri::parse(s).ok_or(AuthorizeProblem::MalformedRedirectUri)?,
        };
        let state = match non_empty(&self.state) {
            None => None,
            Some(s) => Some(State::parse(s).ok_or(AuthorizeProblem::StateTooLong)?),
        };
        Ok(ClientTarget {
            client_id,
            redirect_uri,
            state,
        })
    }
}

/// RFC 6749 §3.1: a parameter without a value is treated as omitted.
fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// Present and not just blanks.
fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.trim().is_empty())
}

/// `POST /api/oauth/authorize`: the person's decision on an authorization
/// request; the parameters are those of `/auth/authorize` as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    #[serde(flatten)]
    pub params: AuthorizeParams,
    /// Required: a body that does not say is refused (never approved).
    pub decision: Decision,
    /// The scopes the person left ticked (space-separated), when fewer
    /// than requested (RFC 6749 §3.3 allows a narrower grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_scope: Option<String>,
}

/// Why the scopes a person left ticked cannot be what is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeChoiceProblem {
    /// Nothing left ticked (deny instead).
    Empty,
    /// A name that is not a scope, or one the request did not ask for.
    NotRequested,
    /// `openid` is the sign-in itself: it stays when it was asked for.
    OpenIdRequired,
}

impl fmt::Display for ScopeChoiceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScopeChoiceProblem::Empty => "chosen_scope must keep at least one scope.",
            ScopeChoiceProblem::NotRequested => {
                "chosen_scope may only name scopes the request asked for."
            }
            ScopeChoiceProblem::OpenIdRequired => {
                "chosen_scope must keep openid when the request asked for it."
            }
        })
    }
}

/// The scopes to grant: all that were requested, or the ticked subset.
pub fn choose_scopes(
    requested: &ScopeSet,
    chosen: Option<&str>,
) -> Result<ScopeSet, ScopeChoiceProblem> {
    let Some(chosen) = chosen else {
        return Ok(requested.clone());
    };
    let chosen = ScopeSet::parse(chosen).map_err(|_| ScopeChoiceProblem::NotRequested)?;
    if chosen.is_empty() {
        return Err(ScopeChoiceProblem::Empty);
    }
    if !chosen.is_subset_of(requested) {
        return Err(ScopeChoiceProblem::NotRequested);
    }
    if requested.contains(Scope::OpenId) && !chosen.contains(Scope::OpenId) {
        return Err(ScopeChoiceProblem::OpenIdRequired);
    }
    // In the order the client asked, whatever order the boxes were ticked in.
    Ok(requested.iter().filter(|s| chosen.contains(*s)).collect())
}

/// Stage 1's result: the client and redirect URI to verify, and the state
/// every response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTarget {
    pub client_id: ClientId,
    pub redirect_uri: RedirectUri,
    pub state: Option<State>,
}

/// What a verified client may ask for: the server reads it from the client's
/// registration, the page from `GET /api/oauth/app/{client_id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPolicy {
    /// The scopes it registered: what it may request, and the default when
    /// it names none (RFC 6749 §3.3).
    pub allowed_scopes: ScopeSet,
    /// What else it may ask for: nothing for an app an operator registered;
    /// the whole catalogue for one nobody vouched for (it is always shown
    /// the screen, so the person decides; that is how MCP step-up asks for
    /// more than a client registered).
    pub extra_scopes: ScopeSet,
    /// Whether PKCE `plain` is acceptable for it (S256 always is).
    pub plain_pkce_allowed: bool,
}

/// A complete, valid authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: ClientId,
    pub redirect_uri: RedirectUri,
    pub state: Option<State>,
    pub scopes: ScopeSet,
    pub code_challenge: CodeChallenge,
    pub code_challenge_method: CodeChallengeMethod,
    /// RFC 8707: the services asked for, sorted, without repeats (the
    /// server then checks each is one it serves).
    pub resources: Vec<ResourceUri>,
    /// OpenID Connect: echoed in the ID Token.
    pub nonce: Option<String>,
    pub prompt: Prompt,
    /// Seconds a sign-in may be old.
    pub max_age: Option<i64>,
}

/// OpenID Connect Core §3.1.2.1 `prompt`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// No screen at all: a code if the person is signed in and has already
    /// approved, else `login_required` / `consent_required`.
    pub none: bool,
    /// Sign in again, whatever the session.
    pub login: bool,
    /// Ask, even if approved before.
    pub consent: bool,
    pub select_account: bool,
}

impl Prompt {
    pub fn parse(s: Option<&str>) -> Result<Prompt, AuthorizeProblem> {
        let mut p = Prompt::default();
        for v in s.unwrap_or("").split_ascii_whitespace() {
            match v {
                "none" => p.none = true,
                "login" => p.login = true,
                "consent" => p.consent = true,
                "select_account" => p.select_account = true,
                other => return Err(AuthorizeProblem::InvalidPrompt(other.to_owned())),
            }
        }
        if p.none && (p.login || p.consent || p.select_account) {
            return Err(AuthorizeProblem::InvalidPrompt("none".into()));
        }
        Ok(p)
    }
}

/// The longest nonce we keep (it is stored with the code).
pub const MAX_NONCE_LEN: usize = 512;

/// Whether a sign-in `auth_age` seconds old is fresh enough for a request
/// with this `prompt` and `max_age` (OpenID Connect Core §3.1.2.1).
/// `signed_in_for_this` says the person has just signed in for this very
/// request (so `prompt=login` and `max_age=0` are satisfied).
pub fn sign_in_is_fresh(
    prompt: Prompt,
    max_age: Option<i64>,
    auth_age: i64,
    signed_in_for_this: bool,
) -> bool {
    if signed_in_for_this {
        return true;
    }
    !prompt.login && max_age.is_none_or(|m| auth_age <= m && m > 0)
}

impl AuthorizationRequest {
    /// Stage 3 (after the client and redirect URI are verified): the rest of
    /// the request, in the order the errors must be reported.
    pub fn parse(
        params: &AuthorizeParams,
        target: &ClientTarget,
        policy: &ClientPolicy,
    ) -> Result<Self, AuthorizeProblem> {
        match non_empty(&params.response_type) {
            None => return Err(AuthorizeProblem::Missing("response_type")),
            Some("code") => {}
            Some(_) => return Err(AuthorizeProblem::UnsupportedResponseType),
        }
        let code_challenge = match present(&params.code_challenge) {
            None => return Err(AuthorizeProblem::Missing("code_challenge")),
            Some(s) => CodeChallenge::parse(s).ok_or(AuthorizeProblem::MalformedCodeChallenge)?,
        };
        let code_challenge_method =
            CodeChallengeMethod::parse(non_empty(&params.code_challenge_method))
                .ok_or(AuthorizeProblem::UnsupportedChallengeMethod)?;
        if code_challenge_method == CodeChallengeMethod::Plain && !policy.plain_pkce_allowed {
            return Err(AuthorizeProblem::PlainPkceNotAllowed);
        }
        let scopes = match present(&params.scope) {
            None => policy.allowed_scopes.clone(),
            Some(s) => ScopeSet::parse(s).map_err(|u| AuthorizeProblem::UnknownScopes(u.0))?,
        };
        // OpenID Connect's identity scopes are open to every client.
        let not_allowed: Vec<Scope> = scopes
            .not_in(&policy.allowed_scopes)
            .into_iter()
            .filter(|s| !s.is_identity() && !policy.extra_scopes.contains(*s))
            .collect();
        if !not_allowed.is_empty() {
            return Err(AuthorizeProblem::ScopeNotAllowed(not_allowed));
        }
        if scopes.is_empty() {
            return Err(AuthorizeProblem::NoScopes);
        }
        // Sorted and without repeats, by sorted insertion (no sort routine
        // in the consent screen's download).
        let mut resources: Vec<ResourceUri> = Vec::with_capacity(params.resource.len());
        for r in params.resource.iter().filter(|r| !r.is_empty()) {
            let uri =
                ResourceUri::parse(r).ok_or_else(|| AuthorizeProblem::InvalidTarget(r.clone()))?;
            if let Err(i) = resources.binary_search(&uri) {
                resources.insert(i, uri);
            }
        }
        let nonce = non_empty(&params.nonce).map(str::to_owned);
        if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE_LEN) {
            return Err(AuthorizeProblem::NonceTooLong);
        }
        let prompt = Prompt::parse(non_empty(&params.prompt))?;
        let max_age = match non_empty(&params.max_age) {
            None => None,
            Some(s) => Some(
                s.parse::<i64>()
                    .ok()
                    .filter(|m| *m >= 0)
                    .ok_or(AuthorizeProblem::InvalidMaxAge)?,
            ),
        };
        Ok(AuthorizationRequest {
            resources,
            nonce,
            prompt,
            max_age,
            client_id: target.client_id.clone(),
            redirect_uri: target.redirect_uri.clone(),
            state: target.state.clone(),
            scopes,
            code_challenge,
            code_challenge_method,
        })
    }
}

/// Everything that can be wrong with an authorization request. Its code and
/// its words are defined here once, for the page and the server alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeProblem {
    /// A parameter appears more than once (RFC 6749 §3.1).
    Repeated(&'static str),
    /// A required parameter is absent or empty.
    Missing(&'static str),
    MalformedClientId,
    MalformedRedirectUri,
    StateTooLong,
    /// No active client has this id (decided by the server).
    UnknownClient,
    /// The redirect URI is not one the client registered (decided by the server).
    RedirectUriNotRegistered,
    UnsupportedResponseType,
    /// Names that are not scopes at all.
    UnknownScopes(Vec<String>),
    /// Real scopes this client may not ask for.
    ScopeNotAllowed(Vec<Scope>),
    /// Neither the request nor the client's registration names a scope.
    NoScopes,
    MalformedCodeChallenge,
    UnsupportedChallengeMethod,
    PlainPkceNotAllowed,
    /// RFC 8707 §2: not an absolute URI, or not a service we issue tokens
    /// for (the second decided by the server).
    InvalidTarget(String),
    /// A `prompt` value we do not know, or `none` with another.
    InvalidPrompt(String),
    /// `max_age` that is not a non-negative number of seconds.
    InvalidMaxAge,
    NonceTooLong,
    /// `prompt=none` without a signed-in person (decided by the server).
    LoginRequired,
    /// `prompt=none`, signed in, but not yet approved (decided by the server).
    ConsentRequired,
}

impl AuthorizeProblem {
    /// True when the problem goes back to the client through its verified
    /// redirect URI (RFC 6749 §4.1.2.1); false when it is shown to the person.
    pub fn redirects(&self) -> bool {
        matches!(
            self,
            AuthorizeProblem::Missing("response_type")
                | AuthorizeProblem::UnsupportedResponseType
                | AuthorizeProblem::UnknownScopes(_)
                | AuthorizeProblem::InvalidTarget(_)
                | AuthorizeProblem::InvalidPrompt(_)
                | AuthorizeProblem::InvalidMaxAge
                | AuthorizeProblem::NonceTooLong
                | AuthorizeProblem::LoginRequired
                | AuthorizeProblem::ConsentRequired
        )
    }

    /// The error code: the RFC's for redirected problems, ours (which the page
    /// chooses its screen by) for shown ones.
    pub fn code(&self) -> ErrorCode {
        match self {
            AuthorizeProblem::UnknownClient => ErrorCode::InvalidClient,
            AuthorizeProblem::RedirectUriNotRegistered => ErrorCode::RedirectUriNotRegistered,
            AuthorizeProblem::UnsupportedResponseType => ErrorCode::UnsupportedResponseType,
            AuthorizeProblem::UnknownScopes(_) => ErrorCode::InvalidScope,
            AuthorizeProblem::ScopeNotAllowed(_) => ErrorCode::ScopeNotAllowed,
            AuthorizeProblem::InvalidTarget(_) => ErrorCode::InvalidTarget,
            AuthorizeProblem::LoginRequired => ErrorCode::LoginRequired,
            AuthorizeProblem::ConsentRequired => ErrorCode::ConsentRequired,
            AuthorizeProblem::InvalidPrompt(_)
            | AuthorizeProblem::InvalidMaxAge
            | AuthorizeProblem::NonceTooLong
            | AuthorizeProblem::Repeated(_)
            | AuthorizeProblem::Missing(_)
            | AuthorizeProblem::MalformedClientId
            | AuthorizeProblem::MalformedRedirectUri
            | AuthorizeProblem::StateTooLong
            | AuthorizeProblem::NoScopes
            | AuthorizeProblem::MalformedCodeChallenge
            | AuthorizeProblem::UnsupportedChallengeMethod
            | AuthorizeProblem::PlainPkceNotAllowed => ErrorCode::InvalidRequest,
        }
    }
}

impl fmt::Display for AuthorizeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthorizeProblem::Repeated(name) => write!(f, "{name} appears more than once."),
            AuthorizeProblem::Missing("code_challenge") => {
                f.write_str("code_challenge is required (PKCE, RFC 7636).")
            }
            AuthorizeProblem::Missing(name) => write!(f, "{name} is required."),
            AuthorizeProblem::MalformedClientId => {
                f.write_str("client_id contains characters a client id never has.")
            }
            AuthorizeProblem::MalformedRedirectUri => {
                f.write_str("redirect_uri is too long or contains control characters.")
            }
            AuthorizeProblem::StateTooLong => {
                write!(f, "state is longer than {} characters.", State::MAX_LEN)
            }
            AuthorizeProblem::UnknownClient => {
                f.write_str("No active application has this client_id.")
            }
            AuthorizeProblem::RedirectUriNotRegistered => {
                f.write_str("redirect_uri is not registered for this application.")
            }
            AuthorizeProblem::UnsupportedResponseType => {
                f.write_str("Only response_type=code is supported.")
            }
            AuthorizeProblem::UnknownScopes(names) => {
                write!(f, "Unknown scope(s): {}", names.join(", "))
            }
            AuthorizeProblem::ScopeNotAllowed(scopes) => {
                let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
                write!(
                    f,
                    "The application is not allowed to request: {}",
                    names.join(", ")
                )
            }
            AuthorizeProblem::NoScopes => {
                f.write_str("scope is required: the application has no default scopes.")
            }
            AuthorizeProblem::MalformedCodeChallenge => f.write_str(
                "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636).",
            ),
            AuthorizeProblem::UnsupportedChallengeMethod => {
                f.write_str("code_challenge_method must be S256 or plain.")
            }
            AuthorizeProblem::PlainPkceNotAllowed => {
                f.write_str("code_challenge_method=plain is not allowed; use S256.")
            }
            AuthorizeProblem::InvalidTarget(r) => write!(
                f,
                "resource \"{r}\" is not a service this server issues tokens for (RFC 8707)."
            ),
            AuthorizeProblem::InvalidPrompt(v) => write!(
                f,
                "prompt \"{v}\" is not supported here (none alone, or any of login, consent, select_account)."
            ),
            AuthorizeProblem::InvalidMaxAge => {
                f.write_str("max_age must be a non-negative number of seconds.")
            }
            AuthorizeProblem::NonceTooLong => {
                write!(f, "nonce is longer than {MAX_NONCE_LEN} characters.")
            }
            AuthorizeProblem::LoginRequired => {
                f.write_str("Nobody is signed in, and prompt=none allows no sign-in page.")
            }
            AuthorizeProblem::ConsentRequired => f.write_str(
                "The person has not approved this request yet, and prompt=none allows no consent screen.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn params(overrides: &[(&str, Option<&str>)]) -> AuthorizeParams {
        let mut pairs = vec![
            ("client_id", Some("agpt_client_x")),
            ("redirect_uri", Some("https://app.example/cb")),
            ("scope", Some("READ_GRAPH")),
            ("state", Some("st")),
            ("code_challenge", Some(CHALLENGE)),
            ("code_challenge_method", Some("S256")),
            ("response_type", Some("code")),
        ];
        for (k, v) in overrides {
            pairs.iter_mut().find(|(n, _)| n == k).unwrap().1 = *v;
        }
        AuthorizeParams::from_pairs(
            pairs
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .unwrap()
    }

    fn policy() -> ClientPolicy {
        ClientPolicy {
            allowed_scopes: ScopeSet::new([Scope::ReadGraph, Scope::ExecuteGraph]),
            extra_scopes: ScopeSet::default(),
            plain_pkce_allowed: true,
        }
    }

    fn parse(p: &AuthorizeParams) -> Result<AuthorizationRequest, AuthorizeProblem> {
        AuthorizationRequest::parse(p, &p.target()?, &policy())
    }

    #[test]
    fn a_complete_request_parses() {
        let r = parse(&params(&[])).unwrap();
        assert_eq!(r.client_id.as_str(), "agpt_client_x");
        assert_eq!(r.state.as_ref().map(State::as_str), Some("st"));
        assert_eq!(r.scopes, ScopeSet::new([Scope::ReadGraph]));
        assert_eq!(r.code_challenge_method, CodeChallengeMethod::S256);
    }

    #[test]
    fn problems_come_in_rfc_6749_order_with_their_disposition() {
        use AuthorizeProblem as P;
        let huge = "s".repeat(2049);
        type Overrides<'a> = Vec<(&'a str, Option<&'a str>)>;
        let cases: Vec<(Overrides, AuthorizeProblem, bool, &str)> = vec![
            (
                vec![("client_id", None)],
                P::Missing("client_id"),
                false,
                "no client",
            ),
            (
                vec![("client_id", None), ("response_type", None)],
                P::Missing("client_id"),
                false,
                "client first",
            ),
            (
                vec![("client_id", Some("a b"))],
                P::MalformedClientId,
                false,
                "bad id",
            ),
            (
                vec![("redirect_uri", Some(" "))],
                P::Missing("redirect_uri"),
                false,
                "blank uri",
            ),
            (
                vec![("redirect_uri", Some("https://a/\u{7}"))],
                P::MalformedRedirectUri,
                false,
                "control char",
            ),
            (
                vec![("state", Some(&huge))],
                P::StateTooLong,
                false,
                "huge state",
            ),
            (
                vec![("response_type", None), ("code_challenge", None)],
                P::Missing("response_type"),
                true,
                "response_type before PKCE",
            ),
            (
                vec![("response_type", Some("token"))],
                P::UnsupportedResponseType,
                true,
                "implicit",
            ),
            (
                vec![("scope", Some("READ_GRAPH bogus"))],
                P::UnknownScopes(vec!["bogus".into()]),
                true,
                "unknown scope",
            ),
            (
                vec![("scope", Some("READ_GRAPH USE_TOOLS"))],
                P::ScopeNotAllowed(vec![Scope::UseTools]),
                false,
                "not allowed",
            ),
            (
                vec![("code_challenge", None)],
                P::Missing("code_challenge"),
                false,
                "no PKCE",
            ),
            (
                vec![("code_challenge", None), ("scope", Some("bogus"))],
                P::Missing("code_challenge"),
                false,
                "PKCE before scope",
            ),
            (
                vec![("code_challenge", Some("short"))],
                P::MalformedCodeChallenge,
                false,
                "short challenge",
            ),
            (
                vec![("code_challenge_method", Some("S512"))],
                P::UnsupportedChallengeMethod,
                false,
                "method",
            ),
        ];
        for (overrides, problem, redirects, why) in cases {
            let got = parse(&params(&overrides)).unwrap_err();
            assert_eq!(got, problem, "{why}");
            assert_eq!(got.redirects(), redirects, "{why}");
            assert!(!got.to_string().is_empty(), "{why}");
        }
    }

    #[test]
    fn without_scope_the_clients_registered_scopes_apply() {
        for scope in [None, Some(""), Some("   ")] {
            let r = parse(&params(&[("scope", scope)])).unwrap();
            assert_eq!(r.scopes, policy().allowed_scopes, "{scope:?}");
        }
        let p = params(&[("scope", None)]);
        let none = ClientPolicy {
            allowed_scopes: ScopeSet::default(),
            extra_scopes: ScopeSet::default(),
            plain_pkce_allowed: true,
        };
        assert_eq!(
            AuthorizationRequest::parse(&p, &p.target().unwrap(), &none),
            Err(AuthorizeProblem::NoScopes)
        );
    }

    #[test]
    fn plain_pkce_follows_the_policy_and_absent_method_means_plain() {
        let p = params(&[("code_challenge_method", None)]);
        let r = parse(&p).unwrap();
        assert_eq!(r.code_challenge_method, CodeChallengeMethod::Plain);
        let strict = ClientPolicy {
            plain_pkce_allowed: false,
            ..policy()
        };
        assert_eq!(
            AuthorizationRequest::parse(&p, &p.target().unwrap(), &strict),
            Err(AuthorizeProblem::PlainPkceNotAllowed)
        );
    }

    #[test]
    fn repeated_parameters_are_refused_and_unknown_ones_ignored() {
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            AuthorizeParams::from_pairs(pairs(&[("state", "a"), ("state", "b")])),
            Err(AuthorizeProblem::Repeated("state"))
        );
        let p = AuthorizeParams::from_pairs(pairs(&[("extra", "1"), ("client_id", "c")])).unwrap();
        assert_eq!(p.client_id.as_deref(), Some("c"));
    }

    #[test]
    fn shown_problems_carry_the_codes_the_page_decides_by() {
        assert_eq!(
            AuthorizeProblem::RedirectUriNotRegistered.code(),
            ErrorCode::RedirectUriNotRegistered
        );
        assert_eq!(
            AuthorizeProblem::ScopeNotAllowed(vec![Scope::UseTools]).code(),
            ErrorCode::ScopeNotAllowed
        );
        assert_eq!(
            AuthorizeProblem::UnknownScopes(vec![]).code(),
            ErrorCode::InvalidScope
        );
    }
}

#[cfg(test)]
mod choice_tests {
    use super::*;

    #[test]
    fn a_choice_is_a_non_empty_subset_that_keeps_openid() {
        let asked = ScopeSet::parse("openid READ_GRAPH EXECUTE_GRAPH").unwrap();
        assert_eq!(choose_scopes(&asked, None), Ok(asked.clone()));
        assert_eq!(
            choose_scopes(&asked, Some("READ_GRAPH openid")),
            Ok(ScopeSet::parse("openid READ_GRAPH").unwrap())
        );
        assert_eq!(
            choose_scopes(&asked, Some("")),
            Err(ScopeChoiceProblem::Empty)
        );
        assert_eq!(
            choose_scopes(&asked, Some("openid READ_STORE")),
            Err(ScopeChoiceProblem::NotRequested)
        );
        assert_eq!(
            choose_scopes(&asked, Some("openid nope")),
            Err(ScopeChoiceProblem::NotRequested)
        );
        assert_eq!(
            choose_scopes(&asked, Some("READ_GRAPH")),
            Err(ScopeChoiceProblem::OpenIdRequired)
        );
        let plain = ScopeSet::parse("READ_GRAPH EXECUTE_GRAPH").unwrap();
        assert_eq!(
            choose_scopes(&plain, Some("EXECUTE_GRAPH")),
            Ok(ScopeSet::parse("EXECUTE_GRAPH").unwrap())
        );
    }
}
