//! Sign-in sessions, looked up by the SHA-256 of the cookie's random id.

use super::{Db, StoreResult, Write, WriteFuture};
use crate::domain::session::StoredSession;
use shared::Me;
use sqlx::{AnyConnection, Row};

/// A session to start.
struct NewSession {
    session_hash: String,
    user_id: String,
    now: i64,
    expires_at: i64,
}

impl Write for NewSession {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            sqlx::query(
                "insert into user_session (session_hash, user_id, created_at, expires_at)
                 values ($1, $2, $3, $4)",
            )
            .bind(&self.session_hash)
            .bind(&self.user_id)
            .bind(self.now)
            .bind(self.expires_at)
            .execute(conn)
            .await?;
            Ok(())
        })
    }
}

pub async fn create_session(
    db: &Db,
    session_hash: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> StoreResult<()> {
    db.write_one(NewSession {
        session_hash: session_hash.to_owned(),
        user_id: user_id.to_owned(),
        now,
        expires_at,
    })
    .await
}

const FIND_SESSION: &str = "select u.user_id, u.email, s.created_at, s.expires_at
     from user_session s join app_user u on u.user_id = s.user_id
     where s.session_hash = $1";

#[cfg(test)]
pub(super) fn hot_sql() -> Vec<String> {
    vec![
        FIND_SESSION.into(),
        "delete from user_session where session_hash = $1".into(),
    ]
}

/// The session with this hash and its person (live or not: the domain decides).
pub async fn find_session(db: &Db, session_hash: &str) -> StoreResult<Option<StoredSession>> {
    let row = sqlx::query(FIND_SESSION)
        .bind(session_hash)
        .fetch_optional(&db.read)
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(StoredSession {
        user: Me {
            user_id: r.try_get("user_id")?,
            email: r.try_get("email")?,
            auth_time: 0,
            auth_age: 0,
        },
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    }))
}

/// A session to end.
struct EndSession(String);

impl Write for EndSession {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            sqlx::query("delete from user_session where session_hash = $1")
                .bind(&self.0)
                .execute(conn)
                .await?;
            Ok(())
        })
    }
}

pub async fn delete_session(db: &Db, session_hash: &str) -> StoreResult<()> {
    db.write_one(EndSession(session_hash.to_owned())).await
}

/// Every session of one person (sign out everywhere).
struct EndAllSessions(String);

impl Write for EndAllSessions {
    type Output = u64;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, u64> {
        Box::pin(async move {
            Ok(sqlx::query("delete from user_session where user_id = $1")
                .bind(&self.0)
                .execute(conn)
                .await?
                .rows_affected())
        })
    }
}

/// Ends every session of the person, on every instance at once (each
/// request reads its session from the database). Returns how many.
pub async fn delete_user_sessions(db: &Db, user_id: &str) -> StoreResult<u64> {
    db.write_one(EndAllSessions(user_id.to_owned())).await
}
