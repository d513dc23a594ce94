//! Refreshing (RFC 6749 §6) with rotation and reuse detection
//! (RFC 9700 §4.14.2): the rules, decided before the store rotates.

use super::scope::{narrow, ScopeRejection};
use super::Rejection;
use shared::{ErrorCode, ResourceUri, ScopeSet};
use std::fmt;

/// A refresh token as stored, with its grant's state.
#[derive(Debug, Clone)]
pub struct StoredRefresh {
    pub token_hash: String,
    pub grant_id: String,
    pub oauth_app_id: String,
    pub user_id: String,
    /// What the grant allows; every refresh token of the grant carries it.
    pub scopes: ScopeSet,
    /// The resources the grant is for: the most a new token may be for.
    pub resources: Vec<ResourceUri>,
    /// When the person signed in for the grant (refreshed ID Tokens repeat it).
    pub auth_time: i64,
    pub expires_at: i64,
    /// Set when it was rotated out.
    pub used_at: Option<i64>,
    pub grant_revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshRejection {
    Unknown,
    /// A rotated-out token came back: the whole grant must be revoked.
    Reused,
    Expired,
    OtherClient,
    /// Its grant was revoked.
    Revoked,
    Scope(ScopeRejection),
}

impl RefreshRejection {
    /// Whether this presentation must end the token's grant.
    pub fn revokes_grant(&self) -> bool {
        *self == RefreshRejection::Reused
    }
}

impl Rejection for RefreshRejection {
    fn code(&self) -> ErrorCode {
        match self {
            RefreshRejection::Scope(s) => s.code(),
            _ => ErrorCode::InvalidGrant,
        }
    }
}

impl fmt::Display for RefreshRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefreshRejection::Unknown => f.write_str("The refresh token is invalid."),
            RefreshRejection::Reused => f.write_str(
                "The refresh token has already been used; every token of this grant is now revoked.",
            ),
            RefreshRejection::Expired => f.write_str("The refresh token has expired."),
            RefreshRejection::OtherClient => {
                f.write_str("The refresh token was not issued to this client.")
            }
            RefreshRejection::Revoked => f.write_str("The refresh token has been revoked."),
            RefreshRejection::Scope(s) => s.fmt(f),
        }
    }
}

/// Decides whether the authenticated client (`oauth_app_id`) may rotate
/// `token` at `now`: the token, and the scope of the new access token.
pub fn check_refresh<'t>(
    token: Option<&'t StoredRefresh>,
    oauth_app_id: &str,
    requested: Option<&ScopeSet>,
    now: i64,
) -> Result<(&'t StoredRefresh, ScopeSet), RefreshRejection> {
    let token = token.ok_or(RefreshRejection::Unknown)?;
    if token.used_at.is_some() {
        return Err(RefreshRejection::Reused);
    }
    if token.oauth_app_id != oauth_app_id {
        return Err(RefreshRejection::OtherClient);
    }
    if token.expires_at <= now {
        return Err(RefreshRejection::Expired);
    }
    if token.grant_revoked_at.is_some() {
        return Err(RefreshRejection::Revoked);
    }
    let scopes = narrow(&token.scopes, requested).map_err(RefreshRejection::Scope)?;
    Ok((token, scopes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 5_000;

    fn token() -> StoredRefresh {
        StoredRefresh {
            token_hash: "h".into(),
            grant_id: "g".into(),
            oauth_app_id: "app".into(),
            user_id: "u".into(),
            scopes: ScopeSet::parse("READ_GRAPH EXECUTE_GRAPH").unwrap(),
            resources: Vec::new(),
            expires_at: NOW + 100,
            used_at: None,
            grant_revoked_at: None,
            auth_time: 0,
        }
    }

    #[test]
    fn a_live_token_rotates_with_the_granted_or_a_narrower_scope() {
        let t = token();
        let scope = |r: Option<&ScopeSet>| check_refresh(Some(&t), "app", r, NOW).map(|(_, s)| s);
        assert_eq!(scope(None), Ok(t.scopes.clone()));
        let narrower = ScopeSet::parse("READ_GRAPH").unwrap();
        assert_eq!(scope(Some(&narrower)), Ok(narrower));
        let wider = ScopeSet::parse("READ_GRAPH USE_TOOLS").unwrap();
        let r = scope(Some(&wider)).unwrap_err();
        assert_eq!(r, RefreshRejection::Scope(ScopeRejection::Widening));
        assert_eq!(r.code(), ErrorCode::InvalidScope);
    }

    #[test]
    fn time_ends_a_token() {
        let t = token();
        assert!(check_refresh(Some(&t), "app", None, NOW + 99).is_ok());
        assert_eq!(
            check_refresh(Some(&t), "app", None, NOW + 100).unwrap_err(),
            RefreshRejection::Expired
        );
    }

    #[test]
    fn reuse_comes_first_and_ends_the_grant() {
        let mut t = token();
        t.used_at = Some(NOW - 1);
        t.expires_at = NOW - 1;
        let r = check_refresh(Some(&t), "other", None, NOW).unwrap_err();
        assert_eq!(r, RefreshRejection::Reused);
        assert!(r.revokes_grant());
        let fresh = token();
        let why =
            |t: Option<&StoredRefresh>, app: &str| check_refresh(t, app, None, NOW).unwrap_err();
        assert_eq!(why(Some(&fresh), "other"), RefreshRejection::OtherClient);
        let mut revoked = token();
        revoked.grant_revoked_at = Some(NOW);
        assert_eq!(why(Some(&revoked), "app"), RefreshRejection::Revoked);
        assert_eq!(why(None, "app"), RefreshRejection::Unknown);
    }
}
