//! Grants and everything that hangs off them: authorization codes, access
//! tokens, refresh tokens.
//!
//! The domain decides whether a code or refresh token may be used; the store
//! then claims it with one conditional `update … where used_at is null`, in
//! the transaction that issues the new tokens. The database picks exactly one
//! winner however many requests race, and a failure leaves nothing half-done.

use super::apps::{client_from_row, APP_COLUMNS};
use super::{Backend, Db, StoreError, StoreResult, Write, WriteFuture};
use crate::domain::authorize::Approval;
use crate::domain::client::Client;
use crate::domain::code::StoredCode;
use crate::domain::refresh::StoredRefresh;
use crate::domain::resource::{parse_resources, resources_text};
use crate::domain::token::{StoredToken, TokenKind};
use shared::{ClientId, CodeChallengeMethod, ResourceUri, ScopeSet};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A new approval with its authorization code.
#[derive(Debug, Clone)]
pub struct NewAuthorization {
    pub grant_id: String,
    pub user_id: String,
    pub oauth_app_id: String,
    pub scopes: ScopeSet,
    pub resources: Vec<ResourceUri>,
    pub code_hash: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub code_challenge_method: CodeChallengeMethod,
    pub now: i64,
    pub code_expires_at: i64,
    /// OpenID Connect: the request's nonce, and when the person signed in.
    pub nonce: Option<String>,
    pub auth_time: i64,
    /// The person's consent after this approval (what they allowed before,
    /// extended by it), written in the same transaction…
    pub consent: Approval,
    /// …if the record is still the one read (its `updated_at`); a record
    /// removed meanwhile (the connected-apps page) is not brought back:
    /// the consent is then this approval alone (`approved`).
    pub consent_seen: Option<i64>,
    /// What this approval alone allows.
    pub approved: Approval,
}

impl Write for NewAuthorization {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            // Three statements sent as one: a single trip to SQLite's thread.
            sqlx::query(
                "insert into oauth_grant (grant_id, user_id, oauth_app_id, scopes, created_at, revoked_at,
                     resources, auth_time)
                 values ($1, $2, $3, $4, $5, null, $11, $13);
                 insert into authorization_code (code_hash, grant_id, redirect_uri, code_challenge,
                     code_challenge_method, created_at, expires_at, used_at, nonce)
                 values ($6, $1, $7, $8, $9, $5, $10, null, $12);
                 insert into oauth_consent (user_id, oauth_app_id, scopes, resources, created_at, updated_at)
                 values ($2, $3, $16, $17, $5, $5)
                 on conflict (user_id, oauth_app_id) do update
                 set scopes = $14, resources = $15, updated_at = excluded.updated_at
                 where oauth_consent.updated_at = $18;",
            )
            .bind_authorization(self)
            .execute(conn)
            .await?;
            Ok(())
        })
    }
}

/// The same two inserts as one PostgreSQL statement (one round trip).
struct NewAuthorizationPg(NewAuthorization);

impl Write for NewAuthorizationPg {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        let a = &self.0;
        Box::pin(async move {
            sqlx::query(
                "with g as (
                   insert into oauth_grant (grant_id, user_id, oauth_app_id, scopes, created_at, revoked_at,
                       resources, auth_time)
                   values ($1, $2, $3, $4, $5, null, $11, $13) returning grant_id),
                 c as (
                   insert into oauth_consent (user_id, oauth_app_id, scopes, resources, created_at, updated_at)
                   values ($2, $3, $16, $17, $5, $5)
                   on conflict (user_id, oauth_app_id) do update
                   set scopes = $14, resources = $15, updated_at = excluded.updated_at
                   where oauth_consent.updated_at = $18)
                 insert into authorization_code (code_hash, grant_id, redirect_uri, code_challenge,
                     code_challenge_method, created_at, expires_at, used_at, nonce)
                 select $6, g.grant_id, $7, $8, $9, $5, $10, null, $12 from g",
            )
            .bind_authorization(a)
            .execute(conn)
            .await?;
            Ok(())
        })
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The arguments each dialect's statement takes, bound in one place: both
/// statements number them alike, so a reordering cannot reach one backend
/// only.
trait BindGrants<'q> {
    /// `$1`–`$18` of an approval (see `NewAuthorization`'s statements).
    fn bind_authorization(self, a: &'q NewAuthorization) -> Self;
    /// `$1`–`$11` of a claim (see `claim_sql_sqlite`, `claim_sql_postgres`).
    fn bind_claim(self, hash: &'q str, t: &'q NewTokens) -> Self;
}

impl<'q> BindGrants<'q> for Query<'q> {
    fn bind_authorization(self, a: &'q NewAuthorization) -> Self {
        self.bind(&a.grant_id)
            .bind(&a.user_id)
            .bind(&a.oauth_app_id)
            .bind(a.scopes.to_space_separated())
            .bind(a.now)
            .bind(&a.code_hash)
            .bind(&a.redirect_uri)
            .bind(&a.code_challenge)
            .bind(a.code_challenge_method.as_str())
            .bind(a.code_expires_at)
            .bind(resources_text(&a.resources))
            .bind(a.nonce.clone())
            .bind(a.auth_time)
            .bind(a.consent.scopes.to_space_separated())
            .bind(resources_text(&a.consent.resources))
            .bind(a.approved.scopes.to_space_separated())
            .bind(resources_text(&a.approved.resources))
            .bind(a.consent_seen)
    }

    fn bind_claim(self, hash: &'q str, t: &'q NewTokens) -> Self {
        self.bind(t.now)
            .bind(hash)
            .bind(&t.access_hash)
            .bind(t.access_scopes.to_space_separated())
            .bind(t.access_expires_at)
            .bind(&t.refresh_hash)
            .bind(t.refresh_scopes.to_space_separated())
            .bind(t.refresh_expires_at)
            .bind(&t.grant_id)
            .bind(resources_text(&t.access_audience))
            .bind(resources_text(&t.refresh_audience))
    }
}

/// Records an approval and its code.
pub async fn create_authorization(db: &Db, a: NewAuthorization) -> StoreResult<()> {
    match db.backend {
        Backend::Postgres => db.write_one(NewAuthorizationPg(a)).await,
        Backend::Sqlite => db.write(a).await,
    }
}

fn scopes(row: &AnyRow, column: &str) -> StoreResult<ScopeSet> {
    let text: String = row.try_get(column)?;
    // Scopes dropped from the catalogue since issue are ignored rather than fatal.
    Ok(ScopeSet::new(
        text.split_whitespace().filter_map(|s| s.parse().ok()),
    ))
}

/// Reads the client with `client_id` and, in the same statement (one trip
/// to the database, not two), the row `lookup` selects with `$2` (its
/// columns prefixed `k_`; all null when it finds nothing). None when there
/// is no such client.
async fn with_client(
    db: &Db,
    client_id: &ClientId,
    lookup: &str,
    key: &str,
) -> StoreResult<Option<(Client, Option<AnyRow>)>> {
    let row = sqlx::query(&with_client_sql(lookup))
        .bind(client_id.as_str())
        .bind(key)
        .fetch_optional(&db.read)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let client = client_from_row(&row)?;
    let grant_id: Option<String> = row.try_get("k_grant_id")?;
    Ok(Some((client, grant_id.is_some().then_some(row))))
}

fn with_client_sql(lookup: &str) -> String {
    format!(
        "select {APP_COLUMNS}, k.* from oauth_app a left join ({lookup}) k on 1 = 1
         where a.client_id = $1"
    )
}

/// A code with its grant, by the code's hash (`$2`).
const CODE_LOOKUP: &str = "select c.grant_id as k_grant_id, c.redirect_uri as k_redirect_uri,
        c.code_challenge as k_code_challenge, c.code_challenge_method as k_method,
        c.expires_at as k_expires_at, c.used_at as k_used_at, g.oauth_app_id as k_oauth_app_id,
        g.user_id as k_user_id, g.scopes as k_scopes, g.revoked_at as k_grant_revoked_at,
        g.resources as k_resources, c.nonce as k_nonce,
        coalesce(g.auth_time, g.created_at) as k_auth_time
     from authorization_code c join oauth_grant g on g.grant_id = c.grant_id
     where c.code_hash = $2";

fn code_from_row(r: &AnyRow, code_hash: &str) -> StoreResult<StoredCode> {
    let method: String = r.try_get("k_method")?;
    Ok(StoredCode {
        code_hash: code_hash.to_owned(),
        grant_id: r.try_get("k_grant_id")?,
        oauth_app_id: r.try_get("k_oauth_app_id")?,
        user_id: r.try_get("k_user_id")?,
        scopes: scopes(r, "k_scopes")?,
        resources: parse_resources(&r.try_get::<String, _>("k_resources")?),
        redirect_uri: r.try_get("k_redirect_uri")?,
        code_challenge: r.try_get("k_code_challenge")?,
        code_challenge_method: CodeChallengeMethod::parse(Some(&method))
            .ok_or_else(|| StoreError::Corrupt(format!("code_challenge_method {method:?}")))?,
        expires_at: r.try_get("k_expires_at")?,
        used_at: r.try_get("k_used_at")?,
        grant_revoked_at: r.try_get("k_grant_revoked_at")?,
        nonce: r.try_get("k_nonce")?,
        auth_time: r.try_get("k_auth_time")?,
    })
}

/// The client presenting a code, and the code (with its grant): one read.
pub async fn find_client_and_code(
    db: &Db,
    client_id: &ClientId,
    code_hash: &str,
) -> StoreResult<(Option<Client>, Option<StoredCode>)> {
    Ok(
        match with_client(db, client_id, CODE_LOOKUP, code_hash).await? {
            None => (None, None),
            Some((client, row)) => (
                Some(client),
                row.map(|r| code_from_row(&r, code_hash)).transpose()?,
            ),
        },
    )
}

/// The hashes and lifetimes of a freshly minted access + refresh token pair.
#[derive(Debug, Clone)]
pub struct NewTokens {
    pub grant_id: String,
    pub access_hash: String,
    pub access_scopes: ScopeSet,
    pub access_audience: Vec<ResourceUri>,
    pub access_expires_at: i64,
    pub refresh_hash: String,
    pub refresh_scopes: ScopeSet,
    pub refresh_audience: Vec<ResourceUri>,
    pub refresh_expires_at: i64,
    pub now: i64,
}

/// What a claim spends: a code, or a refresh token being rotated.
#[derive(Debug, Clone, Copy)]
enum Spent {
    Code,
    Refresh,
}

/// Spends `hash` (if nobody has) and issues `tokens` for it, atomically:
/// the claim is one conditional update, and the tokens are only inserted by
/// the request whose update changed the row.
#[derive(Debug)]
struct Claim {
    spent: Spent,
    hash: String,
    tokens: NewTokens,
}

impl Write for Claim {
    type Output = bool;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, bool> {
        // Three statements sent as one (sqlx runs them in order on the one
        // connection, binding `$n` from the same arguments): the update
        // claims, and each insert happens only if the statement before it
        // changed a row (`changes()`), so a lost claim inserts nothing.
        let sql = claim_sql_sqlite(self.spent);
        let t = &self.tokens;
        Box::pin(async move {
            let done = sqlx::query(&sql)
                .bind_claim(&self.hash, t)
                .execute(conn)
                .await?;
            match done.rows_affected() {
                0 => Ok(false),
                3 => Ok(true),
                n => Err(StoreError::Corrupt(format!("a claim changed {n} rows"))),
            }
        })
    }
}

fn claim_update(spent: Spent) -> &'static str {
    match spent {
        Spent::Code => {
            "update authorization_code set used_at = $1 where code_hash = $2 and used_at is null"
        }
        Spent::Refresh => {
            "update refresh_token set used_at = $1 where token_hash = $2 and used_at is null"
        }
    }
}

fn claim_sql_sqlite(spent: Spent) -> String {
    format!(
        "{};
         insert into access_token (token_hash, grant_id, scopes, created_at, expires_at, revoked_at,
                 audience)
             select $3, $9, $4, $1, $5, null, $10 where changes() = 1;
         insert into refresh_token (token_hash, grant_id, scopes, created_at, expires_at, used_at,
                 audience)
             select $6, $9, $7, $1, $8, null, $11 where changes() = 1;",
        claim_update(spent)
    )
}

fn claim_sql_postgres(spent: Spent) -> String {
    format!(
        "with claimed as ({} returning grant_id),
           a as (insert into access_token (token_hash, grant_id, scopes, created_at, expires_at,
                     revoked_at, audience)
                 select $3, $9, $4, $1, $5, null, $10 from claimed),
           r as (insert into refresh_token (token_hash, grant_id, scopes, created_at, expires_at,
                     used_at, audience)
                 select $6, $9, $7, $1, $8, null, $11 from claimed)
         select count(*) as won from claimed",
        claim_update(spent)
    )
}

/// The claim and both inserts as one PostgreSQL statement: data-modifying
/// CTEs all run, and the inserts take their grant from the claim's
/// `returning`, so they insert nothing unless this statement won.
struct ClaimPg(Claim);

impl Write for ClaimPg {
    type Output = bool;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, bool> {
        let c = &self.0;
        let t = &c.tokens;
        let sql = claim_sql_postgres(c.spent);
        Box::pin(async move {
            let row = sqlx::query(&sql)
                .bind_claim(&c.hash, t)
                .fetch_one(conn)
                .await?;
            let won: i64 = row.try_get("won")?;
            Ok(won == 1)
        })
    }
}

async fn claim(db: &Db, claim: Claim) -> StoreResult<bool> {
    match db.backend {
        Backend::Postgres => db.write_one(ClaimPg(claim)).await,
        Backend::Sqlite => db.write(claim).await,
    }
}

/// Claims the code (if nobody has) and issues `tokens` for it, atomically.
/// False when another request claimed it first: nothing was written.
pub async fn redeem_code(db: &Db, code_hash: String, tokens: NewTokens) -> StoreResult<bool> {
    claim(
        db,
        Claim {
            spent: Spent::Code,
            hash: code_hash,
            tokens,
        },
    )
    .await
}

/// A refresh token with its grant, by the token's hash (`$2`).
const REFRESH_LOOKUP: &str = "select r.grant_id as k_grant_id, r.scopes as k_scopes,
        r.expires_at as k_expires_at, r.used_at as k_used_at, g.oauth_app_id as k_oauth_app_id,
        g.user_id as k_user_id, g.revoked_at as k_grant_revoked_at, g.resources as k_resources,
        coalesce(g.auth_time, g.created_at) as k_auth_time
     from refresh_token r join oauth_grant g on g.grant_id = r.grant_id
     where r.token_hash = $2";

/// The client presenting a refresh token, and the token (with its grant): one read.
pub async fn find_client_and_refresh(
    db: &Db,
    client_id: &ClientId,
    token_hash: &str,
) -> StoreResult<(Option<Client>, Option<StoredRefresh>)> {
    let Some((client, row)) = with_client(db, client_id, REFRESH_LOOKUP, token_hash).await? else {
        return Ok((None, None));
    };
    let token = match row {
        None => None,
        Some(r) => Some(StoredRefresh {
            token_hash: token_hash.to_owned(),
            grant_id: r.try_get("k_grant_id")?,
            oauth_app_id: r.try_get("k_oauth_app_id")?,
            user_id: r.try_get("k_user_id")?,
            scopes: scopes(&r, "k_scopes")?,
            resources: parse_resources(&r.try_get::<String, _>("k_resources")?),
            auth_time: r.try_get("k_auth_time")?,
            expires_at: r.try_get("k_expires_at")?,
            used_at: r.try_get("k_used_at")?,
            grant_revoked_at: r.try_get("k_grant_revoked_at")?,
        }),
    };
    Ok((Some(client), token))
}

/// Rotates a refresh token exactly once: spends the old one (if nobody has)
/// and issues `tokens`, atomically. False when another request rotated it first.
pub async fn rotate_refresh(db: &Db, refresh_hash: String, tokens: NewTokens) -> StoreResult<bool> {
    claim(
        db,
        Claim {
            spent: Spent::Refresh,
            hash: refresh_hash,
            tokens,
        },
    )
    .await
}

/// One conditional update that ends something: a grant, or an access token.
struct End {
    sql: &'static str,
    id: String,
    now: i64,
}

impl Write for End {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            sqlx::query(self.sql)
                .bind(self.now)
                .bind(&self.id)
                .execute(conn)
                .await?;
            Ok(())
        })
    }
}

/// Revokes a grant: every code and token issued under it stops working.
pub async fn revoke_grant(db: &Db, grant_id: &str, now: i64) -> StoreResult<()> {
    db.write_one(End {
        sql: "update oauth_grant set revoked_at = $1 where grant_id = $2 and revoked_at is null",
        id: grant_id.to_owned(),
        now,
    })
    .await
}

/// The client asking about a token, and the token (with its grant and its
/// own client), from the table of its kind: one read.
pub async fn find_client_and_token(
    db: &Db,
    client_id: &ClientId,
    kind: TokenKind,
    token_hash: &str,
) -> StoreResult<(Option<Client>, Option<StoredToken>)> {
    let lookup = token_lookup(kind);
    let Some((client, row)) = with_client(db, client_id, &lookup, token_hash).await? else {
        return Ok((None, None));
    };
    let token = row
        .as_ref()
        .map(|r| stored_token(r, kind, token_hash))
        .transpose()?;
    Ok((Some(client), token))
}

/// A token by its hash alone (for a resource server asking about it).
pub async fn find_token(
    db: &Db,
    kind: TokenKind,
    token_hash: &str,
) -> StoreResult<Option<StoredToken>> {
    let row = sqlx::query(&token_lookup(kind).replace("$2", "$1"))
        .bind(token_hash)
        .fetch_optional(&db.read)
        .await?;
    row.as_ref()
        .map(|r| stored_token(r, kind, token_hash))
        .transpose()
}

fn stored_token(r: &AnyRow, kind: TokenKind, token_hash: &str) -> StoreResult<StoredToken> {
    Ok(StoredToken {
        kind,
        token_hash: token_hash.to_owned(),
        grant_id: r.try_get("k_grant_id")?,
        oauth_app_id: r.try_get("k_oauth_app_id")?,
        client_id: r.try_get("k_client_id")?,
        user_id: r.try_get("k_user_id")?,
        scopes: scopes(r, "k_scopes")?,
        audience: parse_resources(&r.try_get::<String, _>("k_audience")?),
        created_at: r.try_get("k_created_at")?,
        expires_at: r.try_get("k_expires_at")?,
        ended_at: r.try_get("k_ended_at")?,
        grant_revoked_at: r.try_get("k_grant_revoked_at")?,
        app_disabled_at: r.try_get("k_app_disabled_at")?,
    })
}

/// A token of `kind` with its grant and its client, by its hash (`$2`).
fn token_lookup(kind: TokenKind) -> String {
    let (table, ended) = match kind {
        TokenKind::Access => ("access_token", "revoked_at"),
        TokenKind::Refresh => ("refresh_token", "used_at"),
    };
    format!(
        "select t.grant_id as k_grant_id, t.scopes as k_scopes, t.created_at as k_created_at,
                t.audience as k_audience,
                t.expires_at as k_expires_at, t.{ended} as k_ended_at, g.user_id as k_user_id,
                g.revoked_at as k_grant_revoked_at, o.oauth_app_id as k_oauth_app_id,
                o.client_id as k_client_id, o.disabled_at as k_app_disabled_at
         from {table} t
         join oauth_grant g on g.grant_id = t.grant_id
         join oauth_app o on o.oauth_app_id = g.oauth_app_id
         where t.token_hash = $2"
    )
}

/// Revokes one access token.
pub async fn revoke_access_token(db: &Db, token_hash: &str, now: i64) -> StoreResult<()> {
    db.write_one(End {
        sql: "update access_token set revoked_at = $1 where token_hash = $2 and revoked_at is null",
        id: token_hash.to_owned(),
        now,
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every statement on a request path finds its rows through an index:
    /// none may scan a table that grows with use (issue: an uncorrelated
    /// subquery once made each exchange cost more with every grant).
    #[tokio::test]
    async fn hot_statements_use_indexes_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(
            &format!("sqlite://{}/p.db?mode=rwc", dir.path().display()),
            1,
        )
        .await
        .unwrap();
        let mut statements = vec![
            with_client_sql(CODE_LOOKUP),
            with_client_sql(REFRESH_LOOKUP),
            with_client_sql(&token_lookup(TokenKind::Access)),
            with_client_sql(&token_lookup(TokenKind::Refresh)),
            "update oauth_grant set revoked_at = $1 where grant_id = $2 and revoked_at is null"
                .into(),
            "update access_token set revoked_at = $1 where token_hash = $2 and revoked_at is null"
                .into(),
            token_lookup(TokenKind::Access).replace("$2", "$1"),
        ];
        for spent in [Spent::Code, Spent::Refresh] {
            statements.extend(claim_sql_sqlite(spent).split(';').map(str::to_owned));
        }
        statements.extend(super::super::apps::hot_sql());
        statements.extend(super::super::sessions::hot_sql());
        statements.extend(super::super::consents::hot_sql());
        for sql in statements.iter().filter(|s| !s.trim().is_empty()) {
            let plan = sqlx::query(&format!("explain query plan {sql}"))
                .fetch_all(&db.read)
                .await
                .unwrap_or_else(|e| panic!("{e}: {sql}"));
            for row in plan {
                let detail: String = row.try_get("detail").unwrap();
                let scans_a_table = detail.starts_with("SCAN ")
                    && !detail.starts_with("SCAN CONSTANT ROW")
                    && !detail.starts_with("SCAN k");
                assert!(!scans_a_table, "{detail} in {sql}");
            }
        }
    }
}
