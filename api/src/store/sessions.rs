//! Sign-in sessions, looked up by the SHA-256 of the cookie's random id.

use super::Db;
use crate::error::ApiResult;
use shared::Me;
use sqlx::Row;

pub async fn create_session(
    db: &Db,
    session_hash: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> ApiResult<()> {
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

/// The user of a live session.
pub async fn find_session_user(db: &Db, session_hash: &str, now: i64) -> ApiResult<Option<Me>> {
    let row = sqlx::query(
        "select u.user_id, u.email from user_session s join app_user u on u.user_id = s.user_id
         where s.session_hash = $1 and s.expires_at > $2",
    )
    .bind(session_hash)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match row {
        Some(r) => Some(Me {
            user_id: r.try_get("user_id")?,
            email: r.try_get("email")?,
        }),
        None => None,
    })
}

pub async fn delete_session(db: &Db, session_hash: &str) -> ApiResult<()> {
    sqlx::query("delete from user_session where session_hash = $1")
        .bind(session_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}
