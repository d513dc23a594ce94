//! Consent records: what a person allowed an app, apart from the grants
//! (code and token families) issued under it. Created and extended in the
//! same transaction as the approval that issues a code (see `grants`).

use super::apps::{client_from_row, APP_COLUMNS};
use super::{Db, StoreResult, Write, WriteFuture};
use crate::domain::authorize::Approval;
use crate::domain::client::Client;
use crate::domain::resource::parse_resources;
use shared::ScopeSet;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

fn approval(row: &AnyRow) -> StoreResult<Approval> {
    let scopes: String = row.try_get("c_scopes")?;
    Ok(Approval {
        // Scopes dropped from the catalogue since are ignored.
        scopes: ScopeSet::new(scopes.split_whitespace().filter_map(|s| s.parse().ok())),
        resources: parse_resources(&row.try_get::<String, _>("c_resources")?),
    })
}

const FIND_SQL: &str = "select scopes as c_scopes, resources as c_resources,
         updated_at as c_updated_at from oauth_consent
     where user_id = $1 and oauth_app_id = $2";
const DELETE_SQL: &str = "delete from oauth_consent where user_id = $1 and oauth_app_id = $2";
const REVOKE_GRANTS_SQL: &str = "update oauth_grant set revoked_at = $1
     where user_id = $2 and oauth_app_id = $3 and revoked_at is null";

fn list_sql() -> String {
    format!(
        "select {APP_COLUMNS}, c.scopes as c_scopes, c.resources as c_resources,
                c.created_at as c_created_at, c.updated_at as c_updated_at,
                (select max(u.at) from (
                   select max(g.created_at) as at from oauth_grant g
                    where g.user_id = c.user_id and g.oauth_app_id = c.oauth_app_id
                   union all
                   select max(t.created_at) from oauth_grant g
                     join access_token t on t.grant_id = g.grant_id
                    where g.user_id = c.user_id and g.oauth_app_id = c.oauth_app_id
                   union all
                   select max(r.created_at) from oauth_grant g
                     join refresh_token r on r.grant_id = g.grant_id
                    where g.user_id = c.user_id and g.oauth_app_id = c.oauth_app_id
                 ) u) as c_last_used_at
         from oauth_consent c join oauth_app a on a.oauth_app_id = c.oauth_app_id
         where c.user_id = $1
         order by c.updated_at desc, a.client_id"
    )
}

/// The statements above, for the index check in `grants`' tests.
#[cfg(test)]
pub(super) fn hot_sql() -> Vec<String> {
    vec![
        FIND_SQL.into(),
        DELETE_SQL.into(),
        REVOKE_GRANTS_SQL.into(),
        list_sql(),
        "delete from user_session where user_id = $1".into(),
    ]
}

/// A consent as read, with the version an approval extends it from.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub approval: Approval,
    /// Its `updated_at`: an approval writes its extension only if the
    /// record is still this one (see `NewAuthorization::consent_seen`).
    pub updated_at: i64,
}

/// The person's consent for an app, if they gave one.
pub async fn find(db: &Db, user_id: &str, oauth_app_id: &str) -> StoreResult<Option<Seen>> {
    let row = sqlx::query(FIND_SQL)
        .bind(user_id)
        .bind(oauth_app_id)
        .fetch_optional(&db.read)
        .await?;
    row.as_ref()
        .map(|r| {
            Ok(Seen {
                approval: approval(r)?,
                updated_at: r.try_get("c_updated_at")?,
            })
        })
        .transpose()
}

/// A consent with its app, as the connected-apps page lists it.
#[derive(Debug, Clone)]
pub struct ConsentRow {
    pub client: Client,
    pub approval: Approval,
    pub created_at: i64,
    pub updated_at: i64,
    /// When it was last used: the newest approval, access token or refresh
    /// token under it (computed when read; expired tokens are swept, so the
    /// approvals and the longer-lived refresh tokens keep the date).
    pub last_used_at: Option<i64>,
}

/// Every app the person allowed, most recently extended first.
pub async fn list_for_user(db: &Db, user_id: &str) -> StoreResult<Vec<ConsentRow>> {
    sqlx::query(&list_sql())
        .bind(user_id)
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(|r| {
            Ok(ConsentRow {
                client: client_from_row(r)?,
                approval: approval(r)?,
                created_at: r.try_get("c_created_at")?,
                updated_at: r.try_get("c_updated_at")?,
                last_used_at: r.try_get("c_last_used_at")?,
            })
        })
        .collect()
}

/// Removes a consent and revokes every grant of that person and app, so
/// their codes and tokens stop working at once (every instance reads the
/// grant's `revoked_at`). False if there was no consent.
pub async fn revoke(db: &Db, user_id: &str, oauth_app_id: &str, now: i64) -> StoreResult<bool> {
    db.write(Revoke {
        user_id: user_id.to_owned(),
        oauth_app_id: oauth_app_id.to_owned(),
        now,
    })
    .await
}

struct Revoke {
    user_id: String,
    oauth_app_id: String,
    now: i64,
}

impl Write for Revoke {
    type Output = bool;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, bool> {
        Box::pin(async move {
            let deleted = sqlx::query(DELETE_SQL)
                .bind(&self.user_id)
                .bind(&self.oauth_app_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            // Grants without a consent (from before consents were kept)
            // go too: removing access means all of it.
            let revoked = sqlx::query(REVOKE_GRANTS_SQL)
                .bind(self.now)
                .bind(&self.user_id)
                .bind(&self.oauth_app_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            Ok(deleted > 0 || revoked > 0)
        })
    }
}
