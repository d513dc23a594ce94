//! Grants and everything that hangs off them: authorization codes, access
//! tokens, refresh tokens. Single use and rotation are each one conditional
//! `update … returning` (the database picks exactly one winner), inside the
//! transaction that issues the new tokens, so a failure leaves nothing half-done.

use super::Db;
use crate::error::ApiResult;
use sqlx::Row;

/// A new approval with its authorization code.
#[derive(Debug, Clone)]
pub struct NewAuthorization<'a> {
    pub grant_id: &'a str,
    pub user_id: &'a str,
    pub oauth_app_id: &'a str,
    pub scopes: &'a str,
    pub code_hash: &'a str,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub code_challenge_method: &'a str,
    pub now: i64,
    pub code_expires_at: i64,
}

pub async fn create_authorization(db: &Db, a: &NewAuthorization<'_>) -> ApiResult<()> {
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "insert into oauth_grant (grant_id, user_id, oauth_app_id, scopes, created_at, revoked_at)
         values ($1, $2, $3, $4, $5, null)",
    )
    .bind(a.grant_id)
    .bind(a.user_id)
    .bind(a.oauth_app_id)
    .bind(a.scopes)
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
    .bind(a.code_challenge_method)
    .bind(a.now)
    .bind(a.code_expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The hashes and lifetimes of a freshly minted access + refresh token pair.
#[derive(Debug, Clone)]
pub struct NewTokens<'a> {
    pub access_hash: &'a str,
    pub access_expires_at: i64,
    pub refresh_hash: &'a str,
    pub refresh_expires_at: i64,
    pub now: i64,
}

/// What the token request proves about the code: which app asks, with which
/// redirect_uri, and what the presented verifier hashes to (PKCE is checked
/// inside the claiming statement).
#[derive(Debug, Clone)]
pub struct CodeRedemption<'a> {
    pub code_hash: &'a str,
    pub oauth_app_id: &'a str,
    pub redirect_uri: &'a str,
    /// BASE64URL(SHA256(verifier)), compared with S256 challenges.
    pub verifier_s256: &'a str,
    /// The verifier itself, compared with plain challenges (None when plain is off).
    pub verifier_plain: Option<&'a str>,
}

/// The outcome of presenting a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// This request won the code; tokens were issued with these scopes.
    Issued {
        grant_id: String,
        user_id: String,
        scopes: String,
    },
    /// The code had already been used: its grant has now been revoked (RFC 9700 §4.5).
    Replayed,
    /// Unknown, expired, or not bound to this client / redirect_uri / verifier.
    Invalid(&'static str),
}

/// Redeems a code exactly once and issues tokens for it, atomically.
pub async fn redeem_code(
    db: &Db,
    r: &CodeRedemption<'_>,
    t: &NewTokens<'_>,
) -> ApiResult<Redeemed> {
    let mut tx = db.pool.begin().await?;
    // The update is the transaction's first statement, so on SQLite it takes
    // the write lock before reading (no stale-snapshot upgrade), and on
    // PostgreSQL a concurrent redemption blocks on the row and then sees used_at set.
    let claimed = sqlx::query(
        "update authorization_code set used_at = $1
         where code_hash = $2 and used_at is null and expires_at > $1 and redirect_uri = $3
           and ((code_challenge_method = 'S256' and code_challenge = $4)
             or (code_challenge_method = 'plain' and code_challenge = $5))
           and grant_id in (
             select g.grant_id from oauth_grant g join oauth_app a on a.oauth_app_id = g.oauth_app_id
             where g.revoked_at is null and a.disabled_at is null and a.oauth_app_id = $6)
         returning grant_id",
    )
    .bind(t.now)
    .bind(r.code_hash)
    .bind(r.redirect_uri)
    .bind(r.verifier_s256)
    .bind(r.verifier_plain.unwrap_or(""))
    .bind(r.oauth_app_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(claimed) = claimed else {
        tx.rollback().await?;
        return diagnose_code(db, r, t.now).await;
    };
    let grant_id: String = claimed.try_get("grant_id")?;
    let grant = sqlx::query("select user_id, scopes from oauth_grant where grant_id = $1")
        .bind(&grant_id)
        .fetch_one(&mut *tx)
        .await?;
    let (user_id, scopes): (String, String) = (grant.try_get("user_id")?, grant.try_get("scopes")?);
    insert_tokens(&mut tx, &grant_id, &scopes, &scopes, t).await?;
    tx.commit().await?;
    Ok(Redeemed::Issued {
        grant_id,
        user_id,
        scopes,
    })
}

/// Why a code could not be claimed, revoking its grant if it was a replay.
async fn diagnose_code(db: &Db, r: &CodeRedemption<'_>, now: i64) -> ApiResult<Redeemed> {
    let row = sqlx::query(
        "select c.grant_id, c.used_at, c.expires_at, c.redirect_uri, g.oauth_app_id
         from authorization_code c join oauth_grant g on g.grant_id = c.grant_id
         where c.code_hash = $1",
    )
    .bind(r.code_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(Redeemed::Invalid("The authorization code is invalid."));
    };
    let used_at: Option<i64> = row.try_get("used_at")?;
    if used_at.is_some() {
        let grant_id: String = row.try_get("grant_id")?;
        revoke_grant(db, &grant_id, now).await?;
        return Ok(Redeemed::Replayed);
    }
    let expires_at: i64 = row.try_get("expires_at")?;
    let app: String = row.try_get("oauth_app_id")?;
    let redirect_uri: String = row.try_get("redirect_uri")?;
    Ok(Redeemed::Invalid(if expires_at <= now {
        "The authorization code has expired."
    } else if app != r.oauth_app_id {
        "The authorization code was not issued to this client."
    } else if redirect_uri != r.redirect_uri {
        "redirect_uri does not match the one of the authorization request."
    } else {
        // Wrong verifier, or the app or grant was disabled/revoked meanwhile.
        "The code_verifier does not match the code_challenge, or the grant is no longer valid."
    }))
}

async fn insert_tokens(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    grant_id: &str,
    access_scopes: &str,
    refresh_scopes: &str,
    t: &NewTokens<'_>,
) -> ApiResult<()> {
    sqlx::query(
        "insert into access_token (token_hash, grant_id, scopes, created_at, expires_at, revoked_at)
         values ($1, $2, $3, $4, $5, null)",
    )
    .bind(t.access_hash)
    .bind(grant_id)
    .bind(access_scopes)
    .bind(t.now)
    .bind(t.access_expires_at)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into refresh_token (token_hash, grant_id, scopes, created_at, expires_at, used_at)
         values ($1, $2, $3, $4, $5, null)",
    )
    .bind(t.refresh_hash)
    .bind(grant_id)
    .bind(refresh_scopes)
    .bind(t.now)
    .bind(t.refresh_expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// Rotated: the old token is spent, a new pair was issued.
    Issued { user_id: String, scopes: String },
    /// A rotated-out token came back: the whole grant is now revoked (RFC 9700 §4.14.2).
    Reused,
    /// Unknown, expired, revoked, another client's, or asking for more scope.
    Invalid(&'static str),
}

/// Rotates a refresh token exactly once. `narrow` maps the token's scopes to
/// the access token's (the request's `scope`, already checked to be a subset
/// by the caller through `Err`).
pub async fn rotate_refresh_token(
    db: &Db,
    refresh_hash: &str,
    oauth_app_id: &str,
    narrow: impl FnOnce(&str) -> Result<String, &'static str>,
    t: &NewTokens<'_>,
) -> ApiResult<Refreshed> {
    let mut tx = db.pool.begin().await?;
    let claimed = sqlx::query(
        "update refresh_token set used_at = $1
         where token_hash = $2 and used_at is null and expires_at > $1
           and grant_id in (
             select g.grant_id from oauth_grant g join oauth_app a on a.oauth_app_id = g.oauth_app_id
             where g.revoked_at is null and a.disabled_at is null and a.oauth_app_id = $3)
         returning grant_id, scopes",
    )
    .bind(t.now)
    .bind(refresh_hash)
    .bind(oauth_app_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(claimed) = claimed else {
        tx.rollback().await?;
        return diagnose_refresh(db, refresh_hash, oauth_app_id, t.now).await;
    };
    let grant_id: String = claimed.try_get("grant_id")?;
    let refresh_scopes: String = claimed.try_get("scopes")?;
    let access_scopes = match narrow(&refresh_scopes) {
        Ok(s) => s,
        Err(why) => {
            // Asking for more than was granted spends nothing.
            tx.rollback().await?;
            return Ok(Refreshed::Invalid(why));
        }
    };
    let user_id: String = sqlx::query("select user_id from oauth_grant where grant_id = $1")
        .bind(&grant_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("user_id")?;
    insert_tokens(&mut tx, &grant_id, &access_scopes, &refresh_scopes, t).await?;
    tx.commit().await?;
    Ok(Refreshed::Issued {
        user_id,
        scopes: access_scopes,
    })
}

async fn diagnose_refresh(
    db: &Db,
    refresh_hash: &str,
    oauth_app_id: &str,
    now: i64,
) -> ApiResult<Refreshed> {
    let row = sqlx::query(
        "select r.grant_id, r.used_at, r.expires_at, g.oauth_app_id
         from refresh_token r join oauth_grant g on g.grant_id = r.grant_id
         where r.token_hash = $1",
    )
    .bind(refresh_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(Refreshed::Invalid("The refresh token is invalid."));
    };
    let used_at: Option<i64> = row.try_get("used_at")?;
    if used_at.is_some() {
        // Whoever presents a spent token, someone has a copy that should not exist.
        let grant_id: String = row.try_get("grant_id")?;
        revoke_grant(db, &grant_id, now).await?;
        return Ok(Refreshed::Reused);
    }
    let app: String = row.try_get("oauth_app_id")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    Ok(Refreshed::Invalid(if app != oauth_app_id {
        "The refresh token was not issued to this client."
    } else if expires_at <= now {
        "The refresh token has expired."
    } else {
        "The refresh token has been revoked."
    }))
}

/// Revokes a grant: every code and token issued under it stops working.
pub async fn revoke_grant(db: &Db, grant_id: &str, now: i64) -> ApiResult<()> {
    sqlx::query(
        "update oauth_grant set revoked_at = $1 where grant_id = $2 and revoked_at is null",
    )
    .bind(now)
    .bind(grant_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Which kind of token a lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access_token",
            TokenKind::Refresh => "refresh_token",
        }
    }
}

/// A token with everything that decides whether it is active.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub kind: TokenKind,
    pub token_hash: String,
    pub grant_id: String,
    pub oauth_app_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scopes: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// The token's own end: revoked (access) or rotated out (refresh).
    pub ended_at: Option<i64>,
    pub grant_revoked_at: Option<i64>,
    pub app_disabled_at: Option<i64>,
}

impl TokenInfo {
    pub fn is_active(&self, now: i64) -> bool {
        self.expires_at > now
            && self.ended_at.is_none()
            && self.grant_revoked_at.is_none()
            && self.app_disabled_at.is_none()
    }
}

/// Looks a token up by its hash in the table of its kind.
pub async fn find_token(
    db: &Db,
    kind: TokenKind,
    token_hash: &str,
) -> ApiResult<Option<TokenInfo>> {
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
    Ok(Some(TokenInfo {
        kind,
        token_hash: token_hash.to_owned(),
        grant_id: r.try_get("grant_id")?,
        oauth_app_id: r.try_get("oauth_app_id")?,
        client_id: r.try_get("client_id")?,
        user_id: r.try_get("user_id")?,
        scopes: r.try_get("scopes")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        ended_at: r.try_get("ended_at")?,
        grant_revoked_at: r.try_get("grant_revoked_at")?,
        app_disabled_at: r.try_get("app_disabled_at")?,
    }))
}

/// Revokes one access token.
pub async fn revoke_access_token(db: &Db, token_hash: &str, now: i64) -> ApiResult<()> {
    sqlx::query(
        "update access_token set revoked_at = $1 where token_hash = $2 and revoked_at is null",
    )
    .bind(now)
    .bind(token_hash)
    .execute(&db.pool)
    .await?;
    Ok(())
}
