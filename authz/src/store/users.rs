//! People who sign in.

use super::{has_nul, Db, OnUnique, StoreResult, Write, WriteFuture};
use crate::crypto::{random_id, HashedSecret};
use crate::domain::accounts::User;
use crate::domain::oidc::Person;
use sqlx::{AnyConnection, Row};

/// A person to add.
struct NewUser {
    user_id: String,
    email: String,
    password: HashedSecret,
    display_name: Option<String>,
    now: i64,
}

impl Write for NewUser {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            sqlx::query(
                "insert into app_user (user_id, email, password_hash, password_salt, created_at,
                    display_name, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $5)",
            )
            .bind(&self.user_id)
            .bind(&self.email)
            .bind(&self.password.hash)
            .bind(&self.password.salt)
            .bind(self.now)
            .bind(self.display_name.clone())
            .execute(conn)
            .await
            .on_unique("an account with this email")?;
            Ok(())
        })
    }
}

/// Inserts a user; an email already taken is a `Duplicate` (read from the
/// unique constraint, not checked first, so two racing sign-ups cannot both win).
pub async fn create_user(
    db: &Db,
    email: &str,
    password: &HashedSecret,
    display_name: Option<&str>,
    now: i64,
) -> StoreResult<String> {
    let user_id = random_id();
    db.write_one(NewUser {
        user_id: user_id.clone(),
        email: email.to_owned(),
        password: password.clone(),
        display_name: display_name.map(str::to_owned),
        now,
    })
    .await?;
    Ok(user_id)
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        user_id: row.try_get("user_id")?,
        email: row.try_get("email")?,
        password: HashedSecret {
            hash: row.try_get("password_hash")?,
            salt: row.try_get("password_salt")?,
        },
    })
}

pub async fn find_user_by_email(db: &Db, email: &str) -> StoreResult<Option<User>> {
    if has_nul(email) {
        return Ok(None);
    }
    let row = sqlx::query(
        "select user_id, email, password_hash, password_salt from app_user where email = $1",
    )
    .bind(email)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}

/// The person behind `user_id`, as OpenID Connect's claims describe them.
pub async fn find_person(db: &Db, user_id: &str) -> StoreResult<Option<Person>> {
    if has_nul(user_id) {
        return Ok(None);
    }
    let row = sqlx::query(
        "select user_id, email, display_name, coalesce(updated_at, created_at) as updated_at
         from app_user where user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&db.read)
    .await?;
    row.map(|r| {
        Ok(Person {
            user_id: r.try_get("user_id")?,
            email: r.try_get("email")?,
            display_name: r.try_get("display_name")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
}

pub async fn find_user_by_id(db: &Db, user_id: &str) -> StoreResult<Option<User>> {
    if has_nul(user_id) {
        return Ok(None);
    }
    let row = sqlx::query(
        "select user_id, email, password_hash, password_salt from app_user where user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}
