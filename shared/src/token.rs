//! The token request (RFC 6749 §4.1.3, §6), typed once at the edge: the wire
//! struct is all-`Option` (unknown parameters are ignored, RFC 6749 §3.2), and
//! [`TokenGrant::try_from`] turns it into a grant that has everything its
//! type needs, so nothing downstream sees an `Option<String>`.

use crate::error::ErrorCode;
use crate::protocol::{is_pkce_syntax, RedirectUri, ResourceUri};
use crate::scope::ScopeSet;
use crate::secret::{AuthorizationCode, ClientSecret, PkceVerifier, RefreshToken};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `POST /api/oauth/token`, form or JSON, as sent.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<AuthorizationCode>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<PkceVerifier>,
    pub refresh_token: Option<RefreshToken>,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    /// RFC 8707 §2.2: the services the token is for (a subset of the grant's).
    #[serde(default, deserialize_with = "crate::protocol::one_or_many")]
    pub resource: Vec<String>,
}

/// What the client asks for, by grant type.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenGrant {
    /// RFC 6749 §4.1.3 + RFC 7636 §4.5.
    AuthorizationCode {
        code: AuthorizationCode,
        redirect_uri: RedirectUri,
        code_verifier: PkceVerifier,
        resources: Vec<ResourceUri>,
    },
    /// RFC 6749 §6. `scope`, when given, may only narrow the grant.
    RefreshToken {
        refresh_token: RefreshToken,
        scope: Option<ScopeSet>,
        resources: Vec<ResourceUri>,
    },
}

impl TokenGrant {
    /// The wire name of the grant type.
    pub fn grant_type(&self) -> &'static str {
        match self {
            TokenGrant::AuthorizationCode { .. } => "authorization_code",
            TokenGrant::RefreshToken { .. } => "refresh_token",
        }
    }
}

/// Why a token request could not even be read as a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequestProblem {
    Missing(&'static str),
    UnsupportedGrantType,
    /// A verifier that cannot have produced any challenge (RFC 7636 §4.1).
    MalformedVerifier,
    /// A redirect URI that cannot be the one of any request.
    MalformedRedirectUri,
    UnknownScopes(Vec<String>),
    /// RFC 8707 §2: not an absolute URI without fragment.
    InvalidTarget(String),
    /// More `resource` values than `ResourceUri::MAX_PER_REQUEST`.
    TooManyResources,
}

impl TokenRequestProblem {
    /// RFC 6749 §5.2.
    pub fn code(&self) -> ErrorCode {
        match self {
            TokenRequestProblem::Missing(_) | TokenRequestProblem::TooManyResources => {
                ErrorCode::InvalidRequest
            }
            TokenRequestProblem::UnsupportedGrantType => ErrorCode::UnsupportedGrantType,
            TokenRequestProblem::MalformedVerifier | TokenRequestProblem::MalformedRedirectUri => {
                ErrorCode::InvalidGrant
            }
            TokenRequestProblem::UnknownScopes(_) => ErrorCode::InvalidScope,
            TokenRequestProblem::InvalidTarget(_) => ErrorCode::InvalidTarget,
        }
    }
}

impl fmt::Display for TokenRequestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenRequestProblem::Missing("code_verifier") => {
                f.write_str("code_verifier is required (PKCE, RFC 7636).")
            }
            TokenRequestProblem::Missing(name) => write!(f, "{name} is required."),
            TokenRequestProblem::UnsupportedGrantType => {
                f.write_str("Supported grant types: authorization_code, refresh_token.")
            }
            TokenRequestProblem::MalformedVerifier => f.write_str(
                "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1).",
            ),
            TokenRequestProblem::MalformedRedirectUri => {
                f.write_str("redirect_uri does not match the one of the authorization request.")
            }
            TokenRequestProblem::UnknownScopes(names) => {
                write!(f, "Unknown scope(s): {}", names.join(", "))
            }
            TokenRequestProblem::InvalidTarget(r) => {
                write!(f, "resource {r:?} is not an absolute URI without fragment (RFC 8707).")
            }
            TokenRequestProblem::TooManyResources => write!(
                f,
                "At most {} resource parameters may be given.",
                ResourceUri::MAX_PER_REQUEST
            ),
        }
    }
}

/// RFC 6749 §3.1: a parameter without a value is treated as omitted.
fn given<T>(v: Option<T>, is_empty: impl Fn(&T) -> bool) -> Option<T> {
    v.filter(|x| !is_empty(x))
}

impl TryFrom<TokenRequest> for TokenGrant {
    type Error = TokenRequestProblem;

    fn try_from(req: TokenRequest) -> Result<Self, Self::Error> {
        use TokenRequestProblem as P;
        let grant_type = given(req.grant_type, String::is_empty).ok_or(P::Missing("grant_type"))?;
        if req.resource.len() > ResourceUri::MAX_PER_REQUEST {
            return Err(P::TooManyResources);
        }
        let mut resources = Vec::with_capacity(req.resource.len());
        for r in req.resource.iter().filter(|r| !r.is_empty()) {
            resources.push(ResourceUri::parse(r).ok_or_else(|| P::InvalidTarget(r.clone()))?);
        }
        resources.sort();
        resources.dedup();
        match grant_type.as_str() {
            "authorization_code" => {
                let code = given(req.code, |c| c.secret().is_empty()).ok_or(P::Missing("code"))?;
                let redirect_uri =
                    given(req.redirect_uri, String::is_empty).ok_or(P::Missing("redirect_uri"))?;
                let redirect_uri =
                    RedirectUri::parse(&redirect_uri).ok_or(P::MalformedRedirectUri)?;
                let code_verifier = given(req.code_verifier, |v| v.secret().is_empty())
                    .ok_or(P::Missing("code_verifier"))?;
                if !is_pkce_syntax(code_verifier.secret()) {
                    return Err(P::MalformedVerifier);
                }
                Ok(TokenGrant::AuthorizationCode {
                    code,
                    redirect_uri,
                    code_verifier,
                    resources,
                })
            }
            "refresh_token" => {
                let refresh_token = given(req.refresh_token, |t| t.secret().is_empty())
                    .ok_or(P::Missing("refresh_token"))?;
                let scope = match given(req.scope, |s| s.trim().is_empty()) {
                    None => None,
                    Some(s) => Some(ScopeSet::parse(&s).map_err(|u| P::UnknownScopes(u.0))?),
                };
                Ok(TokenGrant::RefreshToken {
                    refresh_token,
                    scope,
                    resources,
                })
            }
            _ => Err(P::UnsupportedGrantType),
        }
    }
}

/// The access token types we issue (RFC 6749 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    /// RFC 6750.
    Bearer,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Bearer => "Bearer",
        }
    }
}

/// RFC 6749 §5.1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: crate::secret::AccessToken,
    pub token_type: TokenType,
    pub expires_in: i64,
    pub refresh_token: RefreshToken,
    pub scope: String,
    /// OpenID Connect Core §3.1.3.3: when `openid` was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn code_request() -> TokenRequest {
        TokenRequest {
            grant_type: Some("authorization_code".into()),
            code: Some(AuthorizationCode::new("agpt_code_x")),
            redirect_uri: Some("https://app.example/cb".into()),
            code_verifier: Some(PkceVerifier::new(VERIFIER)),
            ..TokenRequest::default()
        }
    }

    #[test]
    fn a_code_request_becomes_a_code_grant() {
        let grant = TokenGrant::try_from(code_request()).unwrap();
        assert_eq!(grant.grant_type(), "authorization_code");
        let TokenGrant::AuthorizationCode { redirect_uri, .. } = grant else {
            panic!("a code grant");
        };
        assert_eq!(redirect_uri.as_str(), "https://app.example/cb");
    }

    #[test]
    fn problems_are_named_with_their_rfc_codes() {
        use TokenRequestProblem as P;
        let with = |f: fn(&mut TokenRequest)| {
            let mut r = code_request();
            f(&mut r);
            TokenGrant::try_from(r).unwrap_err()
        };
        let cases = [
            (
                with(|r| r.grant_type = None),
                P::Missing("grant_type"),
                ErrorCode::InvalidRequest,
            ),
            (
                with(|r| r.grant_type = Some("password".into())),
                P::UnsupportedGrantType,
                ErrorCode::UnsupportedGrantType,
            ),
            (
                with(|r| r.code = Some(AuthorizationCode::new(""))),
                P::Missing("code"),
                ErrorCode::InvalidRequest,
            ),
            (
                with(|r| r.code_verifier = None),
                P::Missing("code_verifier"),
                ErrorCode::InvalidRequest,
            ),
            (
                with(|r| r.code_verifier = Some(PkceVerifier::new("short"))),
                P::MalformedVerifier,
                ErrorCode::InvalidGrant,
            ),
            (
                with(|r| r.redirect_uri = Some("https://a/\n".into())),
                P::MalformedRedirectUri,
                ErrorCode::InvalidGrant,
            ),
        ];
        for (got, want, code) in cases {
            assert_eq!(got, want);
            assert_eq!(got.code(), code, "{want:?}");
        }
    }

    #[test]
    fn refresh_scope_is_optional_and_parsed() {
        let refresh = |scope: Option<&str>| TokenRequest {
            grant_type: Some("refresh_token".into()),
            refresh_token: Some(RefreshToken::new("agpt_rt_x")),
            scope: scope.map(str::to_owned),
            ..TokenRequest::default()
        };
        assert!(matches!(
            TokenGrant::try_from(refresh(None)),
            Ok(TokenGrant::RefreshToken { scope: None, .. })
        ));
        assert!(matches!(
            TokenGrant::try_from(refresh(Some(" "))),
            Ok(TokenGrant::RefreshToken { scope: None, .. })
        ));
        let Ok(TokenGrant::RefreshToken { scope: Some(s), .. }) =
            TokenGrant::try_from(refresh(Some("READ_GRAPH")))
        else {
            panic!("a narrowed refresh");
        };
        assert_eq!(s, ScopeSet::new([Scope::ReadGraph]));
        assert_eq!(
            TokenGrant::try_from(refresh(Some("nope")))
                .unwrap_err()
                .code(),
            ErrorCode::InvalidScope
        );
    }
}
