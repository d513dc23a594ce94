//! Sign-in sessions: a session is live until it expires.

use shared::Me;

/// A session as stored, with its person.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub user: Me,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The person of a session that is still live at `now`.
pub fn live_user(session: Option<StoredSession>, now: i64) -> Option<Me> {
    session.filter(|s| s.expires_at > now).map(|s| Me {
        auth_time: s.created_at,
        auth_age: (now - s.created_at).max(0),
        ..s.user
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_at_its_expiry() {
        let s = StoredSession {
            user: Me {
                user_id: "u".into(),
                email: "a@b.c".into(),
                auth_time: 0,
                auth_age: 0,
            },
            created_at: 10,
            expires_at: 100,
        };
        let me = live_user(Some(s.clone()), 99).unwrap();
        assert_eq!((me.auth_time, me.auth_age), (10, 89));
        assert!(live_user(Some(s), 100).is_none());
        assert!(live_user(None, 0).is_none());
    }
}
