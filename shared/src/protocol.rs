//! Validated protocol values. Each can only be built valid (`parse`), so code
//! that holds one never checks it again.

use serde::{Deserialize, Serialize};
use std::fmt;

/// RFC 7636 §4.1 `unreserved` = ALPHA / DIGIT / "-" / "." / "_" / "~".
fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// True for a string of 43 to 128 unreserved characters: the syntax RFC 7636
/// gives both the code verifier (§4.1) and, for S256 and plain, the challenge.
pub fn is_pkce_syntax(s: &str) -> bool {
    (43..=128).contains(&s.len()) && s.chars().all(is_unreserved)
}

/// An application's public identifier (`agpt_client_…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    pub const PREFIX: &'static str = "agpt_client_";

    /// Any visible-ASCII string of sensible length; unknown ids are a lookup
    /// miss, not a syntax error.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty() && s.len() <= 128 && s.chars().all(|c| c.is_ascii_graphic());
        ok.then(|| ClientId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A redirect URI as the client sent it. Compared by exact string with the
/// registered ones (RFC 9700 §4.1.3): no normalisation, so no tricks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RedirectUri(String);

impl RedirectUri {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty() && s.len() <= 2048 && !s.chars().any(|c| c.is_control());
        ok.then(|| RedirectUri(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host the person will be sent to, for the consent screen
    /// ("you will be redirected to example.com"). Falls back to the scheme for
    /// private-use URIs such as `com.example.app:/cb`.
    pub fn display_host(&self) -> &str {
        let s = self.0.as_str();
        match s.split_once("://") {
            Some((_, rest)) => {
                let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
                authority.rsplit('@').next().unwrap_or(authority)
            }
            None => s.split(':').next().unwrap_or(s),
        }
    }
}

/// How the code challenge was derived (RFC 7636 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeChallengeMethod {
    S256,
    #[serde(rename = "plain")]
    Plain,
}

impl CodeChallengeMethod {
    /// RFC 7636 §4.3: absent means `plain`; callers decide whether they allow it.
    pub fn parse(s: Option<&str>) -> Option<Self> {
        match s {
            None | Some("plain") => Some(CodeChallengeMethod::Plain),
            Some("S256") => Some(CodeChallengeMethod::S256),
            Some(_) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CodeChallengeMethod::S256 => "S256",
            CodeChallengeMethod::Plain => "plain",
        }
    }
}

/// A PKCE code challenge (RFC 7636 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    pub fn parse(s: &str) -> Option<Self> {
        is_pkce_syntax(s).then(|| CodeChallenge(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The decision the person made on the consent screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    #[default]
    Approve,
    Deny,
}

/// The parameters of an authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3)
/// that must be present and well-formed before anything else is looked at.
/// The consent screen uses this to show "Invalid Request" without a round trip;
/// the server applies the same rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestProblem {
    /// Required parameters that are absent or empty, by name.
    Missing(Vec<&'static str>),
    /// A parameter that is present but malformed, with a reason.
    Malformed(&'static str, &'static str),
}

impl fmt::Display for RequestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestProblem::Missing(names) => {
                write!(f, "Missing required parameter(s): {}", names.join(", "))
            }
            RequestProblem::Malformed(name, why) => write!(f, "Invalid {name}: {why}"),
        }
    }
}

/// Checks the parameters that need no database: presence of the required
/// ones and the syntax of the PKCE challenge and method.
pub fn check_authorize_params(
    client_id: Option<&str>,
    redirect_uri: Option<&str>,
    scope: Option<&str>,
    code_challenge: Option<&str>,
    code_challenge_method: Option<&str>,
    response_type: Option<&str>,
) -> Result<(), RequestProblem> {
    let present = |v: Option<&str>| v.is_some_and(|s| !s.trim().is_empty());
    let missing: Vec<&'static str> = [
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("response_type", response_type),
        ("scope", scope),
        ("code_challenge", code_challenge),
    ]
    .into_iter()
    .filter(|(_, v)| !present(*v))
    .map(|(name, _)| name)
    .collect();
    if !missing.is_empty() {
        return Err(RequestProblem::Missing(missing));
    }
    if client_id.and_then(ClientId::parse).is_none() {
        return Err(RequestProblem::Malformed(
            "client_id",
            "it contains characters a client id never has",
        ));
    }
    if redirect_uri.and_then(RedirectUri::parse).is_none() {
        return Err(RequestProblem::Malformed(
            "redirect_uri",
            "it is too long or contains control characters",
        ));
    }
    if code_challenge.and_then(CodeChallenge::parse).is_none() {
        return Err(RequestProblem::Malformed(
            "code_challenge",
            "it must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' or '~' (RFC 7636)",
        ));
    }
    if CodeChallengeMethod::parse(code_challenge_method).is_none() {
        return Err(RequestProblem::Malformed(
            "code_challenge_method",
            "it must be S256 or plain",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn pkce_syntax_follows_rfc_7636() {
        assert!(is_pkce_syntax(CHALLENGE));
        assert!(is_pkce_syntax(&"a".repeat(128)));
        assert!(!is_pkce_syntax(&"a".repeat(42)), "too short");
        assert!(!is_pkce_syntax(&"a".repeat(129)), "too long");
        assert!(
            !is_pkce_syntax(&format!("{}+", "a".repeat(43))),
            "'+' is not unreserved"
        );
    }

    #[test]
    fn missing_parameters_are_all_named() {
        let err = check_authorize_params(
            None,
            Some("https://a/cb"),
            Some("READ_GRAPH"),
            None,
            None,
            Some("code"),
        )
        .unwrap_err();
        assert_eq!(
            err,
            RequestProblem::Missing(vec!["client_id", "code_challenge"])
        );
        assert!(err.to_string().contains("client_id, code_challenge"));
    }

    #[test]
    fn malformed_challenge_and_method_are_rejected() {
        let ok = |cc: &str, m: Option<&str>| {
            check_authorize_params(
                Some("agpt_client_x"),
                Some("https://a/cb"),
                Some("READ_GRAPH"),
                Some(cc),
                m,
                Some("code"),
            )
        };
        assert!(ok(CHALLENGE, Some("S256")).is_ok());
        assert!(ok(CHALLENGE, None).is_ok());
        assert!(matches!(
            ok("short", Some("S256")),
            Err(RequestProblem::Malformed("code_challenge", _))
        ));
        assert!(matches!(
            ok(CHALLENGE, Some("S512")),
            Err(RequestProblem::Malformed("code_challenge_method", _))
        ));
    }

    #[test]
    fn display_host_strips_userinfo_path_and_query() {
        let host = |s: &str| RedirectUri::parse(s).unwrap().display_host().to_owned();
        assert_eq!(host("https://app.example.com/cb?x=1"), "app.example.com");
        assert_eq!(host("http://localhost:8080/callback"), "localhost:8080");
        assert_eq!(host("com.example.app:/oauth"), "com.example.app");
    }
}
