//! OpenID Connect's rules: which key signs and which are published, what an
//! ID Token says, and which claims each scope releases.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::{Scope, ScopeSet};

/// The JWS algorithms we sign ID Tokens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlg {
    /// Every OpenID Provider must support it; the default.
    Rs256,
    Es256,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 2] = [SigningAlg::Rs256, SigningAlg::Es256];

    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Rs256 => "RS256",
            SigningAlg::Es256 => "ES256",
        }
    }

    pub fn parse(s: &str) -> Option<SigningAlg> {
        SigningAlg::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A stored key, without its material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: SigningAlg,
    pub created_at: i64,
}

/// A new key is published this long before it signs, so that relying
/// parties that cached the JWKS (we say `max-age` of this) have it when
/// they meet it.
pub const PUBLISH_AHEAD: i64 = 300;

/// The keys of `alg`, oldest first, each with when it starts signing: the
/// very first at once (there is nothing else), every later one
/// `PUBLISH_AHEAD` after it was made.
fn schedule(keys: &[KeyInfo], alg: SigningAlg) -> Vec<(&KeyInfo, i64)> {
    let mut of_alg: Vec<&KeyInfo> = keys.iter().filter(|k| k.alg == alg).collect();
    of_alg.sort_by(|a, b| (a.created_at, &a.kid).cmp(&(b.created_at, &b.kid)));
    of_alg
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                *k,
                if i == 0 {
                    k.created_at
                } else {
                    k.created_at + PUBLISH_AHEAD
                },
            )
        })
        .collect()
}

/// The key that signs `alg` at `now`: the latest one whose time has come
/// (every instance computes the same).
pub fn active_key(keys: &[KeyInfo], alg: SigningAlg, now: i64) -> Option<&KeyInfo> {
    let plan = schedule(keys, alg);
    plan.iter()
        .rev()
        .find(|(_, starts)| *starts <= now)
        .or(plan.first())
        .map(|(k, _)| *k)
}

/// The keys a relying party may meet: the active one of each algorithm,
/// the ones about to sign, and each older one until `retention` seconds
/// after its successor took over (by then every token it signed has
/// expired, and every instance has moved on).
pub fn published_keys(keys: &[KeyInfo], now: i64, retention: i64) -> Vec<&KeyInfo> {
    let mut out = Vec::new();
    for alg in SigningAlg::ALL {
        let plan = schedule(keys, alg);
        for (i, (k, _)) in plan.iter().enumerate() {
            let replaced_at = plan
                .iter()
                .skip(i + 1)
                .map(|(_, starts)| *starts)
                .filter(|starts| *starts <= now)
                .max();
            if replaced_at.is_none_or(|t| now < t + retention) {
                out.push(*k);
            }
        }
    }
    out
}

/// OpenID Connect Core §3.1.3.6: the left half of the access token's
/// SHA-256, base64url (for RS256 and ES256 alike).
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The person, as the claims describe them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: String,
    pub email: String,
    pub display_name: Option<String>,
    pub updated_at: i64,
}

/// The claims the granted scopes release (OpenID Connect Core §5.4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScopedClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// We do not verify addresses: false, honestly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

pub fn scoped_claims(person: &Person, scopes: &ScopeSet) -> ScopedClaims {
    let email = scopes.contains(Scope::Email);
    let profile = scopes.contains(Scope::Profile);
    ScopedClaims {
        email: email.then(|| person.email.clone()),
        email_verified: email.then_some(false),
        name: profile.then(|| person.display_name.clone()).flatten(),
        // The username is the address: released only where the address is
        // (a person who unticked `email` withheld it).
        preferred_username: (profile && email).then(|| person.email.clone()),
        updated_at: profile.then_some(person.updated_at),
    }
}

/// The UserInfo answer (OpenID Connect Core §5.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    pub sub: String,
    #[serde(flatten)]
    pub claims: ScopedClaims,
}

/// An ID Token's claims (OpenID Connect Core §2, §3.1.3.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdTokenClaims {
    pub iss: String,
    /// The account id: stable and opaque, never the email.
    pub sub: String,
    pub aud: String,
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub at_hash: String,
    #[serde(flatten)]
    pub claims: ScopedClaims,
}

/// What an ID Token is made from.
pub struct IdTokenInput<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub person: &'a Person,
    pub scopes: &'a ScopeSet,
    pub auth_time: i64,
    pub nonce: Option<String>,
    pub access_token: &'a str,
    pub now: i64,
    pub lifetime: i64,
}

/// An ID Token is issued when `openid` was granted.
pub fn id_token_claims(input: IdTokenInput<'_>) -> Option<IdTokenClaims> {
    input.scopes.contains(Scope::OpenId).then(|| IdTokenClaims {
        iss: input.issuer.to_owned(),
        sub: input.person.user_id.clone(),
        aud: input.client_id.to_owned(),
        azp: input.client_id.to_owned(),
        exp: input.now + input.lifetime,
        iat: input.now,
        auth_time: input.auth_time,
        nonce: input.nonce,
        at_hash: at_hash(input.access_token),
        claims: scoped_claims(input.person, input.scopes),
    })
}

/// Why an RP-initiated logout request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutRejection {
    /// An `id_token_hint` we did not sign (or not for this issuer).
    BadHint,
    /// `client_id` and the hint's audience disagree.
    ClientMismatch,
    /// A `post_logout_redirect_uri` without a known client to check it against.
    ClientUnknown,
    /// A `post_logout_redirect_uri` the client did not register.
    UriNotRegistered,
}

impl super::Rejection for LogoutRejection {
    fn code(&self) -> shared::ErrorCode {
        shared::ErrorCode::InvalidRequest
    }
}

impl std::fmt::Display for LogoutRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LogoutRejection::BadHint => "id_token_hint is not an ID Token this server issued.",
            LogoutRejection::ClientMismatch => "client_id is not the audience of id_token_hint.",
            LogoutRejection::ClientUnknown => {
                "post_logout_redirect_uri needs the client: send client_id or id_token_hint."
            }
            LogoutRejection::UriNotRegistered => {
                "post_logout_redirect_uri is not registered for this client."
            }
        })
    }
}

/// A logout request's hint and client, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLogout {
    /// The person the hint names.
    pub sub: Option<String>,
    pub client_id: Option<String>,
    /// The hint has expired: it still names the person and the client, but
    /// an old token found somewhere must not sign anyone out unasked.
    pub expired: bool,
}

/// What an ID Token of ours says that logout reads (OpenID RP-Initiated
/// Logout §2); a token without these is no hint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HintClaims {
    pub iss: String,
    pub sub: String,
    #[serde(deserialize_with = "shared::one_or_many")]
    pub aud: Vec<String>,
    #[serde(default)]
    pub exp: Option<i64>,
}

/// `hint` is None without an `id_token_hint`, `Some(None)` for one whose
/// signature did not verify, `Some(Some(claims))` otherwise.
pub fn check_logout(
    hint: Option<Option<&HintClaims>>,
    issuer: &str,
    client_id: Option<&str>,
    now: i64,
) -> Result<CheckedLogout, LogoutRejection> {
    let claims = match hint {
        None => None,
        Some(None) => return Err(LogoutRejection::BadHint),
        Some(Some(c)) => Some(c),
    };
    let Some(claims) = claims else {
        return Ok(CheckedLogout {
            sub: None,
            client_id: client_id.map(str::to_owned),
            expired: false,
        });
    };
    if claims.iss != issuer {
        return Err(LogoutRejection::BadHint);
    }
    let client = match client_id {
        Some(c) if claims.aud.iter().any(|a| a == c) => c,
        Some(_) => return Err(LogoutRejection::ClientMismatch),
        None => claims.aud.first().ok_or(LogoutRejection::BadHint)?,
    };
    Ok(CheckedLogout {
        sub: Some(claims.sub.clone()),
        client_id: Some(client.to_owned()),
        expired: claims.exp.is_none_or(|exp| exp <= now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str, alg: SigningAlg, created_at: i64) -> KeyInfo {
        KeyInfo {
            kid: kid.into(),
            alg,
            created_at,
        }
    }

    #[test]
    fn a_new_key_is_published_first_signs_later_and_the_old_one_stays_a_while() {
        let keys = [
            key("r1", SigningAlg::Rs256, 100),
            key("r2", SigningAlg::Rs256, 1000),
            key("e1", SigningAlg::Es256, 100),
        ];
        let active = |now| {
            active_key(&keys, SigningAlg::Rs256, now)
                .unwrap()
                .kid
                .clone()
        };
        assert_eq!(active(100), "r1", "the first key signs at once");
        assert_eq!(
            active(1000 + PUBLISH_AHEAD - 1),
            "r1",
            "r2 is only published yet"
        );
        assert_eq!(active(1000 + PUBLISH_AHEAD), "r2");
        assert_eq!(
            active_key(&keys, SigningAlg::Es256, 5000).unwrap().kid,
            "e1"
        );
        let kids = |now| -> Vec<String> {
            published_keys(&keys, now, 3660)
                .iter()
                .map(|k| k.kid.clone())
                .collect()
        };
        assert_eq!(kids(1000), ["r1", "r2", "e1"], "published before it signs");
        let took_over = 1000 + PUBLISH_AHEAD;
        assert_eq!(kids(took_over + 3659), ["r1", "r2", "e1"]);
        assert_eq!(
            kids(took_over + 3660),
            ["r2", "e1"],
            "r1's tokens have all expired"
        );
        // Two instances making a first key at once: both sign at once,
        // every instance picks the same, both are published.
        let race = [
            key("a", SigningAlg::Rs256, 5),
            key("b", SigningAlg::Rs256, 5),
        ];
        assert_eq!(active_key(&race, SigningAlg::Rs256, 5).unwrap().kid, "a");
        assert_eq!(published_keys(&race, 6, 60).len(), 2);
    }

    #[test]
    fn logout_hints_name_the_client_and_the_person() {
        let claims: HintClaims = serde_json::from_value(
            serde_json::json!({"iss": "https://as", "aud": "c1", "sub": "u1", "exp": 100}),
        )
        .unwrap();
        let many: HintClaims = serde_json::from_value(
            serde_json::json!({"iss": "https://as", "aud": ["c1", "c2"], "sub": "u1"}),
        )
        .unwrap();
        assert_eq!(many.aud, ["c1", "c2"], "aud: a string or an array");
        assert!(
            serde_json::from_value::<HintClaims>(serde_json::json!({"iss": "https://as"})).is_err(),
            "no sub, no hint"
        );
        let ok = check_logout(Some(Some(&claims)), "https://as", None, 0).unwrap();
        assert_eq!(
            (ok.sub.as_deref(), ok.client_id.as_deref(), ok.expired),
            (Some("u1"), Some("c1"), false)
        );
        let old = check_logout(Some(Some(&claims)), "https://as", None, 100).unwrap();
        assert!(old.expired, "an expired hint still names them, but asks");
        assert!(check_logout(Some(Some(&claims)), "https://as", Some("c1"), 0).is_ok());
        assert_eq!(
            check_logout(Some(Some(&claims)), "https://as", Some("c2"), 0),
            Err(LogoutRejection::ClientMismatch)
        );
        assert_eq!(
            check_logout(Some(Some(&claims)), "https://other", None, 0),
            Err(LogoutRejection::BadHint)
        );
        assert_eq!(
            check_logout(Some(None), "https://as", None, 0),
            Err(LogoutRejection::BadHint)
        );
        let none = check_logout(None, "https://as", Some("c9"), 0).unwrap();
        assert_eq!((none.sub, none.client_id.as_deref()), (None, Some("c9")));
    }

    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        // OpenID Connect Core's example (§A.3): the access token and its at_hash.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn scopes_release_their_claims_only() {
        let person = Person {
            user_id: "u1".into(),
            email: "ada@example.com".into(),
            display_name: Some("Ada".into()),
            updated_at: 7,
        };
        let none = scoped_claims(&person, &ScopeSet::new([Scope::OpenId]));
        assert_eq!(none, ScopedClaims::default());
        let email = scoped_claims(&person, &ScopeSet::new([Scope::OpenId, Scope::Email]));
        assert_eq!(email.email.as_deref(), Some("ada@example.com"));
        assert_eq!(email.email_verified, Some(false));
        assert_eq!(email.name, None);
        let profile = scoped_claims(&person, &ScopeSet::new([Scope::Profile]));
        assert_eq!(profile.name.as_deref(), Some("Ada"));
        assert_eq!(
            profile.preferred_username, None,
            "no email-derived claim without email"
        );
        assert_eq!(profile.updated_at, Some(7));
        assert_eq!(profile.email, None);
        let both = scoped_claims(&person, &ScopeSet::new([Scope::Profile, Scope::Email]));
        assert_eq!(both.preferred_username.as_deref(), Some("ada@example.com"));
        fn input<'a>(person: &'a Person, scopes: &'a ScopeSet) -> IdTokenInput<'a> {
            IdTokenInput {
                issuer: "https://auth.example",
                client_id: "c",
                person,
                scopes,
                auth_time: 5,
                nonce: Some("n".into()),
                access_token: "t",
                now: 10,
                lifetime: 3600,
            }
        }
        let platform = ScopeSet::new([Scope::ReadGraph]);
        assert!(
            id_token_claims(input(&person, &platform)).is_none(),
            "no openid: no ID Token"
        );
        let openid = ScopeSet::new([Scope::OpenId]);
        let t = id_token_claims(input(&person, &openid)).unwrap();
        assert_eq!(
            (t.sub.as_str(), t.aud.as_str(), t.exp, t.auth_time),
            ("u1", "c", 3610, 5)
        );
        assert_eq!(t.nonce.as_deref(), Some("n"));
    }
}
