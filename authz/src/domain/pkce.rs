//! PKCE (RFC 7636).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use shared::secret::ct_eq;
use shared::{CodeChallengeMethod, PkceVerifier};

/// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// RFC 7636 §4.6: does `verifier` produce the stored challenge? Compared in
/// constant time. `plain` only counts while it is allowed.
pub fn verifier_matches(
    challenge: &str,
    method: CodeChallengeMethod,
    verifier: &PkceVerifier,
    plain_allowed: bool,
) -> bool {
    match method {
        CodeChallengeMethod::S256 => ct_eq(
            s256_challenge(verifier.secret()).as_bytes(),
            challenge.as_bytes(),
        ),
        CodeChallengeMethod::Plain => {
            plain_allowed && ct_eq(verifier.secret().as_bytes(), challenge.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc_7636_appendix_b_test_vector() {
        assert_eq!(s256_challenge(VERIFIER), CHALLENGE);
    }

    #[test]
    fn verifiers_match_their_challenge_only() {
        let v = PkceVerifier::new(VERIFIER);
        assert!(verifier_matches(
            CHALLENGE,
            CodeChallengeMethod::S256,
            &v,
            false
        ));
        assert!(!verifier_matches(
            VERIFIER,
            CodeChallengeMethod::S256,
            &v,
            true
        ));
        assert!(verifier_matches(
            VERIFIER,
            CodeChallengeMethod::Plain,
            &v,
            true
        ));
        assert!(
            !verifier_matches(VERIFIER, CodeChallengeMethod::Plain, &v, false),
            "plain switched off after the code was issued"
        );
        let other = PkceVerifier::new("a".repeat(43));
        assert!(!verifier_matches(
            CHALLENGE,
            CodeChallengeMethod::S256,
            &other,
            true
        ));
    }
}
