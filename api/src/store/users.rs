//! People who sign in.

use super::{is_unique_violation, Db};
use crate::crypto::{random_id, HashedSecret};
use crate::error::{ApiError, ApiResult};
use sqlx::Row;

/// A user as stored, with the password hash for verification.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user_id: String,
    pub email: String,
    pub password: HashedSecret,
}

/// Inserts a user; an email already taken is a `Conflict` (read from the
/// unique constraint, not checked first, so two racing sign-ups cannot both win).
pub async fn create_user(
    db: &Db,
    email: &str,
    password: &HashedSecret,
    now: i64,
) -> ApiResult<String> {
    let user_id = random_id();
    sqlx::query(
        "insert into app_user (user_id, email, password_hash, password_salt, created_at)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(&user_id)
    .bind(email)
    .bind(&password.hash)
    .bind(&password.salt)
    .bind(now)
    .execute(&db.pool)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::Conflict("An account with this email already exists.".into())
        } else {
            e.into()
        }
    })?;
    Ok(user_id)
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        user_id: row.try_get("user_id")?,
        email: row.try_get("email")?,
        password: HashedSecret {
            hash: row.try_get("password_hash")?,
            salt: row.try_get("password_salt")?,
        },
    })
}

pub async fn find_user_by_email(db: &Db, email: &str) -> ApiResult<Option<UserRow>> {
    if email.contains('\0') {
        // No stored email has one (and PostgreSQL refuses NUL in text).
        return Ok(None);
    }
    let row = sqlx::query(
        "select user_id, email, password_hash, password_salt from app_user where email = $1",
    )
    .bind(email)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}

pub async fn find_user_by_id(db: &Db, user_id: &str) -> ApiResult<Option<UserRow>> {
    let row = sqlx::query(
        "select user_id, email, password_hash, password_salt from app_user where user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}
