//! Sign-in sessions, looked up by the SHA-256 of the cookie's random id.

use super::{Db, StoreResult};
use crate::domain::session::StoredSession;
use shared::Me;
use sqlx::Row;

pub async fn create_session(
    db: &Db,
    session_hash: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "insert into user_session (session_hash, user_id, created_at, expires_at) values ($1, $2, $3, $4)",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The session with this hash and its person (live or not: the domain decides).
pub async fn find_session(db: &Db, session_hash: &str) -> StoreResult<Option<StoredSession>> {
    let row = sqlx::query(
        "select u.user_id, u.email, s.created_at, s.expires_at
         from user_session s join app_user u on u.user_id = s.user_id
         where s.session_hash = $1",
    )
    .bind(session_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(StoredSession {
        user: Me {
            user_id: r.try_get("user_id")?,
            email: r.try_get("email")?,
        },
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    }))
}

pub async fn delete_session(db: &Db, session_hash: &str) -> StoreResult<()> {
    sqlx::query("delete from user_session where session_hash = $1")
        .bind(session_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}
