//! Whether a token is active, and what introspection says about it
//! (RFC 7662 §2.2).

use shared::{IntrospectResponse, ResourceUri, ScopeSet};

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
    /// The resources it is for (empty: only its client may learn about it).
    pub audience: Vec<ResourceUri>,
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

    /// Whether this server may accept it as a bearer (UserInfo): a token
    /// without an audience, or one naming us. A token bound to another
    /// resource is that resource's, not a key to the person's identity.
    pub fn is_for_us(&self, issuer: &str) -> bool {
        self.audience.is_empty() || self.audience.iter().any(|a| a.as_str() == issuer)
    }

    /// Whether the authenticated caller may learn anything about this token:
    /// the client it was issued to, or a resource in its audience (RFC 7662
    /// §2.1: a protected resource asks about tokens presented to it). A
    /// resource is only ever presented access tokens: a refresh token is
    /// nothing to it.
    pub fn visible_to(&self, caller: &Caller<'_>) -> bool {
        match caller {
            Caller::Client(oauth_app_id) => self.oauth_app_id == *oauth_app_id,
            Caller::Resource(uri) => {
                self.kind == TokenKind::Access && self.audience.iter().any(|a| a == *uri)
            }
        }
    }
}

/// Who asks about a token.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// A client, by internal id.
    Client(&'a str),
    /// A protected resource, by its URI.
    Resource(&'a ResourceUri),
}

/// RFC 7662 §2.2: an active token the caller may see gets its details;
/// anything else (unknown, expired, revoked, another client's, bound to
/// another resource) is just inactive, so nothing can be probed.
pub fn introspect(
    token: Option<&StoredToken>,
    caller: &Caller<'_>,
    now: i64,
) -> IntrospectResponse {
    match token {
        Some(t) if t.visible_to(caller) && t.is_active(now) => IntrospectResponse {
            active: true,
            scope: Some(t.scopes.to_space_separated()),
            client_id: Some(t.client_id.clone()),
            sub: Some(t.user_id.clone()),
            exp: Some(t.expires_at),
            iat: Some(t.created_at),
            token_type: Some(shared::TokenType::Bearer),
            aud: (!t.audience.is_empty())
                .then(|| t.audience.iter().map(|a| a.to_string()).collect()),
        },
        _ => IntrospectResponse::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 10_000;

    fn mcp() -> ResourceUri {
        ResourceUri::parse("https://mcp.example/mcp").unwrap()
    }

    fn token() -> StoredToken {
        StoredToken {
            kind: TokenKind::Access,
            token_hash: "h".into(),
            grant_id: "g".into(),
            oauth_app_id: "app".into(),
            client_id: "agpt_client_x".into(),
            user_id: "u".into(),
            scopes: ScopeSet::parse("READ_GRAPH").unwrap(),
            audience: vec![mcp()],
            created_at: NOW - 10,
            expires_at: NOW + 10,
            ended_at: None,
            grant_revoked_at: None,
            app_disabled_at: None,
        }
    }

    #[test]
    fn an_active_own_token_is_described_with_bearer_type_and_audience() {
        let r = introspect(Some(&token()), &Caller::Client("app"), NOW);
        assert!(r.active);
        assert_eq!(r.token_type, Some(shared::TokenType::Bearer));
        assert_eq!(r.scope.as_deref(), Some("READ_GRAPH"));
        assert_eq!(r.exp, Some(NOW + 10));
        assert_eq!(r.aud, Some(vec!["https://mcp.example/mcp".to_owned()]));
    }

    #[test]
    fn expiry_revocation_and_other_callers_make_it_inactive() {
        let inactive = IntrospectResponse::default();
        let app = Caller::Client("app");
        assert_eq!(
            introspect(Some(&token()), &app, NOW + 10),
            inactive,
            "expired"
        );
        let other = Caller::Client("other");
        assert_eq!(
            introspect(Some(&token()), &other, NOW),
            inactive,
            "not the caller's"
        );
        assert_eq!(introspect(None, &app, NOW), inactive);
        for end in [
            |t: &mut StoredToken| t.ended_at = Some(1),
            |t: &mut StoredToken| t.grant_revoked_at = Some(1),
            |t: &mut StoredToken| t.app_disabled_at = Some(1),
        ] {
            let mut t = token();
            end(&mut t);
            assert_eq!(introspect(Some(&t), &app, NOW), inactive);
        }
    }

    #[test]
    fn a_resource_sees_only_tokens_for_it() {
        let mine = mcp();
        let elsewhere = ResourceUri::parse("https://other.example/mcp").unwrap();
        assert!(introspect(Some(&token()), &Caller::Resource(&mine), NOW).active);
        assert!(!introspect(Some(&token()), &Caller::Resource(&elsewhere), NOW).active);
        let mut unbound = token();
        unbound.audience.clear();
        assert!(!introspect(Some(&unbound), &Caller::Resource(&mine), NOW).active);
        assert_eq!(
            introspect(Some(&unbound), &Caller::Client("app"), NOW).aud,
            None
        );
        let mut refresh = token();
        refresh.kind = TokenKind::Refresh;
        assert!(
            !introspect(Some(&refresh), &Caller::Resource(&mine), NOW).active,
            "a refresh token is never active to a resource"
        );
        assert!(introspect(Some(&refresh), &Caller::Client("app"), NOW).active);
    }

    #[test]
    fn the_prefix_tells_the_kind() {
        assert_eq!(TokenKind::of("agpt_xt_abc"), Some(TokenKind::Access));
        assert_eq!(TokenKind::of("agpt_rt_abc"), Some(TokenKind::Refresh));
        assert_eq!(TokenKind::of("agpt_code_abc"), None);
        assert_eq!(TokenKind::of(&format!("agpt_xt_{}", "a".repeat(300))), None);
    }
}
