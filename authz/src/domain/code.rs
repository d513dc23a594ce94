//! Redeeming an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6,
//! RFC 9700 §4.2.4): the rules, in the order they are reported.
//!
//! The store reads the code with its grant, this module decides, and only a
//! request that passes every check makes the store claim the code (one
//! conditional update): a failed check never spends a code that a correct
//! request could still redeem.

use super::pkce::verifier_matches;
use super::Rejection;
use shared::{CodeChallengeMethod, ErrorCode, PkceVerifier, RedirectUri, ResourceUri, ScopeSet};
use std::fmt;

/// A code as stored, with what decides whether it can be redeemed.
#[derive(Debug, Clone)]
pub struct StoredCode {
    pub code_hash: String,
    pub grant_id: String,
    /// The client the code was issued to (internal id).
    pub oauth_app_id: String,
    pub user_id: String,
    pub scopes: ScopeSet,
    /// The resources the grant is for (RFC 8707).
    pub resources: Vec<ResourceUri>,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub code_challenge_method: CodeChallengeMethod,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub grant_revoked_at: Option<i64>,
    /// OpenID Connect: the request's nonce, and when the person signed in.
    pub nonce: Option<String>,
    pub auth_time: i64,
}

/// What the token request presents with the code.
#[derive(Debug)]
pub struct Presented<'a> {
    /// The authenticated client (internal id).
    pub oauth_app_id: &'a str,
    pub redirect_uri: &'a RedirectUri,
    pub verifier: &'a PkceVerifier,
    pub plain_pkce_allowed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRejection {
    /// No such code.
    Unknown,
    /// Used before: its grant must be revoked (RFC 9700 §4.5).
    Replayed,
    Expired,
    /// Issued to another client.
    OtherClient,
    /// Not the redirect_uri of the authorization request.
    RedirectMismatch,
    VerifierMismatch,
    /// Its grant was revoked.
    GrantEnded,
}

impl CodeRejection {
    /// Whether this presentation must end the code's grant.
    pub fn revokes_grant(self) -> bool {
        self == CodeRejection::Replayed
    }
}

impl Rejection for CodeRejection {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidGrant
    }
}

impl fmt::Display for CodeRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CodeRejection::Unknown => "The authorization code is invalid.",
            CodeRejection::Replayed => {
                "The authorization code has already been used; tokens issued from it are revoked."
            }
            CodeRejection::Expired => "The authorization code has expired.",
            CodeRejection::OtherClient => "The authorization code was not issued to this client.",
            CodeRejection::RedirectMismatch => {
                "redirect_uri does not match the one of the authorization request."
            }
            CodeRejection::VerifierMismatch => {
                "The code_verifier does not match the code_challenge (RFC 7636 §4.6)."
            }
            CodeRejection::GrantEnded => "The authorization code is no longer valid.",
        })
    }
}

/// Decides whether `presented` may redeem `code` at `now`; the code it may redeem.
pub fn check_code<'c>(
    code: Option<&'c StoredCode>,
    presented: &Presented<'_>,
    now: i64,
) -> Result<&'c StoredCode, CodeRejection> {
    let code = code.ok_or(CodeRejection::Unknown)?;
    if code.used_at.is_some() {
        // Whoever presents a spent code, someone holds a copy that should not exist.
        return Err(CodeRejection::Replayed);
    }
    if code.expires_at <= now {
        return Err(CodeRejection::Expired);
    }
    if code.oauth_app_id != presented.oauth_app_id {
        return Err(CodeRejection::OtherClient);
    }
    if code.redirect_uri != presented.redirect_uri.as_str() {
        return Err(CodeRejection::RedirectMismatch);
    }
    if !verifier_matches(
        &code.code_challenge,
        code.code_challenge_method,
        presented.verifier,
        presented.plain_pkce_allowed,
    ) {
        return Err(CodeRejection::VerifierMismatch);
    }
    if code.grant_revoked_at.is_some() {
        return Err(CodeRejection::GrantEnded);
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    const NOW: i64 = 1_000;

    fn code() -> StoredCode {
        StoredCode {
            code_hash: "h".into(),
            grant_id: "g".into(),
            oauth_app_id: "app".into(),
            user_id: "u".into(),
            scopes: ScopeSet::parse("READ_GRAPH").unwrap(),
            resources: Vec::new(),
            redirect_uri: "https://app.example/cb".into(),
            code_challenge: CHALLENGE.into(),
            code_challenge_method: CodeChallengeMethod::S256,
            expires_at: NOW + 600,
            used_at: None,
            grant_revoked_at: None,
            nonce: None,
            auth_time: 0,
        }
    }

    fn check(
        c: &StoredCode,
        app: &str,
        uri: &str,
        verifier: &str,
        now: i64,
    ) -> Result<(), CodeRejection> {
        let redirect_uri = RedirectUri::parse(uri).unwrap();
        let verifier = PkceVerifier::new(verifier);
        check_code(
            Some(c),
            &Presented {
                oauth_app_id: app,
                redirect_uri: &redirect_uri,
                verifier: &verifier,
                plain_pkce_allowed: true,
            },
            now,
        )
        .map(|_| ())
    }

    #[test]
    fn a_fresh_code_with_matching_proof_is_accepted() {
        assert_eq!(
            check(&code(), "app", "https://app.example/cb", VERIFIER, NOW),
            Ok(())
        );
    }

    #[test]
    fn the_code_expires_with_time() {
        let c = code();
        assert_eq!(
            check(&c, "app", "https://app.example/cb", VERIFIER, NOW + 599),
            Ok(())
        );
        assert_eq!(
            check(&c, "app", "https://app.example/cb", VERIFIER, NOW + 600),
            Err(CodeRejection::Expired)
        );
    }

    #[test]
    fn each_binding_is_checked_and_replay_comes_first() {
        let wrong = "a".repeat(43);
        assert_eq!(
            check(&code(), "other", "https://app.example/cb", VERIFIER, NOW),
            Err(CodeRejection::OtherClient)
        );
        assert_eq!(
            check(&code(), "app", "https://app.example/cb/", VERIFIER, NOW),
            Err(CodeRejection::RedirectMismatch)
        );
        assert_eq!(
            check(&code(), "app", "https://app.example/cb", &wrong, NOW),
            Err(CodeRejection::VerifierMismatch)
        );
        let mut revoked = code();
        revoked.grant_revoked_at = Some(NOW - 1);
        assert_eq!(
            check(&revoked, "app", "https://app.example/cb", VERIFIER, NOW),
            Err(CodeRejection::GrantEnded)
        );
        let mut used = code();
        used.used_at = Some(NOW - 1);
        used.expires_at = NOW - 1;
        let replay = check(&used, "other", "https://x/", &wrong, NOW);
        assert_eq!(
            replay,
            Err(CodeRejection::Replayed),
            "even expired, even by another client"
        );
        assert!(CodeRejection::Replayed.revokes_grant());
        assert!(!CodeRejection::Expired.revokes_grant());
    }

    #[test]
    fn an_unknown_code_is_unknown() {
        let uri = RedirectUri::parse("https://a/").unwrap();
        let v = PkceVerifier::new(VERIFIER);
        let p = Presented {
            oauth_app_id: "app",
            redirect_uri: &uri,
            verifier: &v,
            plain_pkce_allowed: true,
        };
        assert_eq!(
            check_code(None, &p, NOW).unwrap_err(),
            CodeRejection::Unknown
        );
    }
}
