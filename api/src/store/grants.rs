//! Grants and everything that hangs off them: authorization codes, access
//! tokens, refresh tokens.
//!
//! The domain decides whether a code or refresh token may be used; the store
//! then claims it with one conditional `update … where used_at is null`, in
//! the transaction that issues the new tokens. The database picks exactly one
//! winner however many requests race, and a failure leaves nothing half-done.

use super::{Db, StoreError, StoreResult};
use crate::domain::code::StoredCode;
use crate::domain::refresh::StoredRefresh;
use crate::domain::token::{StoredToken, TokenKind};
use shared::{CodeChallengeMethod, ScopeSet};
use sqlx::Row;

/// A new approval with its authorization code.
#[derive(Debug, Clone)]
pub struct NewAuthorization<'a> {
    pub grant_id: &'a str,
    pub user_id: &'a str,
    pub oauth_app_id: &'a str,
    pub scopes: &'a ScopeSet,
    pub code_hash: &'a str,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub code_challenge_method: CodeChallengeMethod,
    pub now: i64,
    pub code_expires_at: i64,
}

pub async fn create_authorization(db: &Db, a: &NewAuthorization<'_>) -> StoreResult<()> {
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "insert into oauth_grant (grant_id, user_id, oauth_app_id, scopes, created_at, revoked_at)
         values ($1, $2, $3, $4, $5, null)",
    )
    .bind(a.grant_id)
    .bind(a.user_id)
    .bind(a.oauth_app_id)
    .bind(a.scopes.to_space_separated())
    .bind(a.now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into authorization_code (code_hash, grant_id, redirect_uri, code_challenge,
            code_challenge_method, created_at, expires_at, used_at)
         values ($1, $2, $3, $4, $5, $6, $7, null)",
    )
    .bind(a.code_hash)
    .bind(a.grant_id)
    .bind(a.redirect_uri)
    .bind(a.code_challenge)
    .bind(a.code_challenge_method.as_str())
    .bind(a.now)
    .bind(a.code_expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn scopes(row: &sqlx::any::AnyRow, column: &str) -> StoreResult<ScopeSet> {
    let text: String = row.try_get(column)?;
    // Scopes dropped from the catalogue since issue are ignored rather than fatal.
    Ok(ScopeSet::new(
        text.split_whitespace().filter_map(|s| s.parse().ok()),
    ))
}

/// A code with its grant, by the code's hash.
pub async fn find_code(db: &Db, code_hash: &str) -> StoreResult<Option<StoredCode>> {
    let row = sqlx::query(
        "select c.grant_id, c.redirect_uri, c.code_challenge, c.code_challenge_method,
                c.expires_at, c.used_at, g.oauth_app_id, g.user_id, g.scopes,
                g.revoked_at as grant_revoked_at
         from authorization_code c join oauth_grant g on g.grant_id = c.grant_id
         where c.code_hash = $1",
    )
    .bind(code_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let method: String = r.try_get("code_challenge_method")?;
    Ok(Some(StoredCode {
        code_hash: code_hash.to_owned(),
        grant_id: r.try_get("grant_id")?,
        oauth_app_id: r.try_get("oauth_app_id")?,
        user_id: r.try_get("user_id")?,
        scopes: scopes(&r, "scopes")?,
        redirect_uri: r.try_get("redirect_uri")?,
        code_challenge: r.try_get("code_challenge")?,
        code_challenge_method: CodeChallengeMethod::parse(Some(&method))
            .ok_or_else(|| StoreError::Corrupt(format!("code_challenge_method {method:?}")))?,
        expires_at: r.try_get("expires_at")?,
        used_at: r.try_get("used_at")?,
        grant_revoked_at: r.try_get("grant_revoked_at")?,
    }))
}

/// The hashes and lifetimes of a freshly minted access + refresh token pair.
#[derive(Debug, Clone)]
pub struct NewTokens<'a> {
    pub grant_id: &'a str,
    pub access_hash: &'a str,
    pub access_scopes: &'a ScopeSet,
    pub access_expires_at: i64,
    pub refresh_hash: &'a str,
    pub refresh_scopes: &'a ScopeSet,
    pub refresh_expires_at: i64,
    pub now: i64,
}

/// Claims the code (if nobody has) and issues `tokens` for it, atomically.
/// False when another request claimed it first: nothing was written.
pub async fn redeem_code(db: &Db, code_hash: &str, tokens: &NewTokens<'_>) -> StoreResult<bool> {
    let mut tx = db.pool.begin().await?;
    // The claim is the transaction's first statement, so on SQLite it takes
    // the write lock before reading (no stale-snapshot upgrade), and on
    // PostgreSQL a concurrent claim blocks on the row and then sees used_at set.
    let claimed = sqlx::query(
        "update authorization_code set used_at = $1 where code_hash = $2 and used_at is null",
    )
    .bind(tokens.now)
    .bind(code_hash)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    insert_tokens(&mut tx, tokens).await?;
    tx.commit().await?;
    Ok(true)
}

/// A refresh token with its grant, by the token's hash.
pub async fn find_refresh(db: &Db, token_hash: &str) -> StoreResult<Option<StoredRefresh>> {
    let row = sqlx::query(
        "select r.grant_id, r.scopes, r.expires_at, r.used_at, g.oauth_app_id, g.user_id,
                g.revoked_at as grant_revoked_at
         from refresh_token r join oauth_grant g on g.grant_id = r.grant_id
         where r.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(StoredRefresh {
        token_hash: token_hash.to_owned(),
        grant_id: r.try_get("grant_id")?,
        oauth_app_id: r.try_get("oauth_app_id")?,
        user_id: r.try_get("user_id")?,
        scopes: scopes(&r, "scopes")?,
        expires_at: r.try_get("expires_at")?,
        used_at: r.try_get("used_at")?,
        grant_revoked_at: r.try_get("grant_revoked_at")?,
    }))
}

/// Rotates a refresh token exactly once: spends the old one (if nobody has)
/// and issues `tokens`, atomically. False when another request rotated it first.
pub async fn rotate_refresh(
    db: &Db,
    refresh_hash: &str,
    tokens: &NewTokens<'_>,
) -> StoreResult<bool> {
    let mut tx = db.pool.begin().await?;
    let claimed = sqlx::query(
        "update refresh_token set used_at = $1 where token_hash = $2 and used_at is null",
    )
    .bind(tokens.now)
    .bind(refresh_hash)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    insert_tokens(&mut tx, tokens).await?;
    tx.commit().await?;
    Ok(true)
}

async fn insert_tokens(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    t: &NewTokens<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "insert into access_token (token_hash, grant_id, scopes, created_at, expires_at, revoked_at)
         values ($1, $2, $3, $4, $5, null)",
    )
    .bind(t.access_hash)
    .bind(t.grant_id)
    .bind(t.access_scopes.to_space_separated())
    .bind(t.now)
    .bind(t.access_expires_at)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into refresh_token (token_hash, grant_id, scopes, created_at, expires_at, used_at)
         values ($1, $2, $3, $4, $5, null)",
    )
    .bind(t.refresh_hash)
    .bind(t.grant_id)
    .bind(t.refresh_scopes.to_space_separated())
    .bind(t.now)
    .bind(t.refresh_expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Revokes a grant: every code and token issued under it stops working.
pub async fn revoke_grant(db: &Db, grant_id: &str, now: i64) -> StoreResult<()> {
    sqlx::query(
        "update oauth_grant set revoked_at = $1 where grant_id = $2 and revoked_at is null",
    )
    .bind(now)
    .bind(grant_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Looks a token up by its hash in the table of its kind.
pub async fn find_token(
    db: &Db,
    kind: TokenKind,
    token_hash: &str,
) -> StoreResult<Option<StoredToken>> {
    let (table, ended) = match kind {
        TokenKind::Access => ("access_token", "revoked_at"),
        TokenKind::Refresh => ("refresh_token", "used_at"),
    };
    let row = sqlx::query(&format!(
        "select t.grant_id, t.scopes, t.created_at, t.expires_at, t.{ended} as ended_at,
                g.user_id, g.revoked_at as grant_revoked_at, a.oauth_app_id, a.client_id,
                a.disabled_at as app_disabled_at
         from {table} t
         join oauth_grant g on g.grant_id = t.grant_id
         join oauth_app a on a.oauth_app_id = g.oauth_app_id
         where t.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(StoredToken {
        kind,
        token_hash: token_hash.to_owned(),
        grant_id: r.try_get("grant_id")?,
        oauth_app_id: r.try_get("oauth_app_id")?,
        client_id: r.try_get("client_id")?,
        user_id: r.try_get("user_id")?,
        scopes: scopes(&r, "scopes")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        ended_at: r.try_get("ended_at")?,
        grant_revoked_at: r.try_get("grant_revoked_at")?,
        app_disabled_at: r.try_get("app_disabled_at")?,
    }))
}

/// Revokes one access token.
pub async fn revoke_access_token(db: &Db, token_hash: &str, now: i64) -> StoreResult<()> {
    sqlx::query(
        "update access_token set revoked_at = $1 where token_hash = $2 and revoked_at is null",
    )
    .bind(now)
    .bind(token_hash)
    .execute(&db.pool)
    .await?;
    Ok(())
}
