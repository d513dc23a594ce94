//! Whether a token is active, and what introspection says about it
//! (RFC 7662 §2.2).

use shared::{IntrospectResponse, ScopeSet};

/// Which kind of token a lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    /// The kind a token's prefix says it is; anything else is no token of ours.
    pub fn of(token: &str) -> Option<TokenKind> {
        // Bound the input: nothing this long is a token of ours.
        if token.len() > 256 {
            None
        } else if token.starts_with(crate::crypto::ACCESS_TOKEN_PREFIX) {
            Some(TokenKind::Access)
        } else if token.starts_with(crate::crypto::REFRESH_TOKEN_PREFIX) {
            Some(TokenKind::Refresh)
        } else {
            None
        }
    }
}

/// A token with everything that decides whether it is active.
#[derive(Debug, Clone)]
pub struct StoredToken {
    pub kind: TokenKind,
    pub token_hash: String,
    pub grant_id: String,
    pub oauth_app_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scopes: ScopeSet,
    pub created_at: i64,
    pub expires_at: i64,
    /// The token's own end: revoked (access) or rotated out (refresh).
    pub ended_at: Option<i64>,
    pub grant_revoked_at: Option<i64>,
    pub app_disabled_at: Option<i64>,
}

impl StoredToken {
    pub fn is_active(&self, now: i64) -> bool {
        self.expires_at > now
            && self.ended_at.is_none()
            && self.grant_revoked_at.is_none()
            && self.app_disabled_at.is_none()
    }

    /// Whether the authenticated caller may learn anything about this token:
    /// only the client it was issued to.
    pub fn visible_to(&self, oauth_app_id: &str) -> bool {
        self.oauth_app_id == oauth_app_id
    }
}

/// RFC 7662 §2.2: an active token the caller may see gets its details;
/// anything else (unknown, expired, revoked, another client's) is just
/// inactive, so nothing can be probed.
pub fn introspect(token: Option<&StoredToken>, caller: &str, now: i64) -> IntrospectResponse {
    match token {
        Some(t) if t.visible_to(caller) && t.is_active(now) => IntrospectResponse {
            active: true,
            scope: Some(t.scopes.to_space_separated()),
            client_id: Some(t.client_id.clone()),
            sub: Some(t.user_id.clone()),
            exp: Some(t.expires_at),
            iat: Some(t.created_at),
            token_type: Some("Bearer".into()),
        },
        _ => IntrospectResponse::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 10_000;

    fn token() -> StoredToken {
        StoredToken {
            kind: TokenKind::Access,
            token_hash: "h".into(),
            grant_id: "g".into(),
            oauth_app_id: "app".into(),
            client_id: "agpt_client_x".into(),
            user_id: "u".into(),
            scopes: ScopeSet::parse("READ_GRAPH").unwrap(),
            created_at: NOW - 10,
            expires_at: NOW + 10,
            ended_at: None,
            grant_revoked_at: None,
            app_disabled_at: None,
        }
    }

    #[test]
    fn an_active_own_token_is_described_with_bearer_type() {
        let r = introspect(Some(&token()), "app", NOW);
        assert!(r.active);
        assert_eq!(r.token_type.as_deref(), Some("Bearer"));
        assert_eq!(r.scope.as_deref(), Some("READ_GRAPH"));
        assert_eq!(r.exp, Some(NOW + 10));
    }

    #[test]
    fn expiry_revocation_and_other_callers_make_it_inactive() {
        let inactive = IntrospectResponse::default();
        assert_eq!(
            introspect(Some(&token()), "app", NOW + 10),
            inactive,
            "expired"
        );
        assert_eq!(
            introspect(Some(&token()), "other", NOW),
            inactive,
            "not the caller's"
        );
        assert_eq!(introspect(None, "app", NOW), inactive);
        for end in [
            |t: &mut StoredToken| t.ended_at = Some(1),
            |t: &mut StoredToken| t.grant_revoked_at = Some(1),
            |t: &mut StoredToken| t.app_disabled_at = Some(1),
        ] {
            let mut t = token();
            end(&mut t);
            assert_eq!(introspect(Some(&t), "app", NOW), inactive);
        }
    }

    #[test]
    fn the_prefix_tells_the_kind() {
        assert_eq!(TokenKind::of("agpt_xt_abc"), Some(TokenKind::Access));
        assert_eq!(TokenKind::of("agpt_rt_abc"), Some(TokenKind::Refresh));
        assert_eq!(TokenKind::of("agpt_code_abc"), None);
        assert_eq!(TokenKind::of(&format!("agpt_xt_{}", "a".repeat(300))), None);
    }
}
