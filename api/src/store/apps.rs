//! Registered applications (OAuth clients).

use super::{is_unique_violation, Db};
use crate::crypto::HashedSecret;
use crate::error::{ApiError, ApiResult};
use shared::ScopeSet;
use sqlx::Row;

/// The grant types an app may use when registration does not say.
pub const DEFAULT_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];

/// An application as stored.
#[derive(Debug, Clone)]
pub struct AppRow {
    pub oauth_app_id: String,
    pub client_id: String,
    /// None for a public client.
    pub secret: Option<HashedSecret>,
    pub name: String,
    pub description: String,
    pub logo_url: Option<String>,
    pub redirect_uris: Vec<String>,
    pub allowed_scopes: ScopeSet,
    pub grant_types: Vec<String>,
    pub owner_id: Option<String>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AppRow {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }

    pub fn is_public(&self) -> bool {
        self.secret.is_none()
    }

    pub fn allows_grant_type(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }

    /// Exact string comparison (RFC 9700 §4.1.3): no normalisation, no prefixes.
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }
}

/// What registration needs; ids and secrets are made by the caller.
#[derive(Debug, Clone)]
pub struct NewApp {
    pub oauth_app_id: String,
    pub client_id: String,
    pub secret: Option<HashedSecret>,
    pub name: String,
    pub description: String,
    pub logo_url: Option<String>,
    pub redirect_uris: Vec<String>,
    pub allowed_scopes: ScopeSet,
    pub grant_types: Vec<String>,
    pub owner_id: Option<String>,
}

const APP_COLUMNS: &str = "oauth_app_id, client_id, client_secret_hash, client_secret_salt, name, description,
    logo_url, redirect_uris, allowed_scopes, grant_types, owner_id, disabled_at, created_at, updated_at";

fn app_from_row(row: &sqlx::any::AnyRow) -> ApiResult<AppRow> {
    let hash: Option<String> = row.try_get("client_secret_hash")?;
    let salt: Option<String> = row.try_get("client_secret_salt")?;
    let redirect_uris: String = row.try_get("redirect_uris")?;
    let scopes: String = row.try_get("allowed_scopes")?;
    let grant_types: String = row.try_get("grant_types")?;
    let client_id: String = row.try_get("client_id")?;
    Ok(AppRow {
        oauth_app_id: row.try_get("oauth_app_id")?,
        secret: match (hash, salt) {
            (Some(hash), Some(salt)) => Some(HashedSecret { hash, salt }),
            _ => None,
        },
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        logo_url: row.try_get("logo_url")?,
        redirect_uris: serde_json::from_str(&redirect_uris).map_err(|e| {
            ApiError::Internal(format!(
                "app {client_id}: redirect_uris is not a JSON array: {e}"
            ))
        })?,
        // Scopes dropped from the catalogue since registration are ignored rather than fatal.
        allowed_scopes: ScopeSet::new(scopes.split(',').filter_map(|s| s.trim().parse().ok())),
        grant_types: grant_types
            .split(',')
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect(),
        owner_id: row.try_get("owner_id")?,
        disabled_at: row.try_get("disabled_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        client_id,
    })
}

/// The app with this client_id, active or not.
pub async fn find_app(db: &Db, client_id: &str) -> ApiResult<Option<AppRow>> {
    if shared::ClientId::parse(client_id).is_none() {
        // Not a client id any app can have (and PostgreSQL refuses NUL in text).
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "select {APP_COLUMNS} from oauth_app where client_id = $1"
    ))
    .bind(client_id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(app_from_row).transpose()
}

/// The app with this client_id if it is active.
pub async fn find_active_app(db: &Db, client_id: &str) -> ApiResult<Option<AppRow>> {
    Ok(find_app(db, client_id).await?.filter(AppRow::is_active))
}

/// Every app, oldest first.
pub async fn list_apps(db: &Db) -> ApiResult<Vec<AppRow>> {
    let rows = sqlx::query(&format!(
        "select {APP_COLUMNS} from oauth_app order by created_at, client_id"
    ))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(app_from_row).collect()
}

/// Serialises redirect URIs the way `oauth_app.redirect_uris` stores them.
pub fn redirect_uris_json(uris: &[String]) -> String {
    serde_json::Value::from(uris.to_vec()).to_string()
}

pub async fn insert_app(db: &Db, app: &NewApp, now: i64) -> ApiResult<()> {
    sqlx::query(
        "insert into oauth_app (oauth_app_id, client_id, client_secret_hash, client_secret_salt, name,
            description, logo_url, redirect_uris, allowed_scopes, grant_types, owner_id, disabled_at,
            created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, null, $12, $12)",
    )
    .bind(&app.oauth_app_id)
    .bind(&app.client_id)
    .bind(app.secret.as_ref().map(|s| s.hash.clone()))
    .bind(app.secret.as_ref().map(|s| s.salt.clone()))
    .bind(&app.name)
    .bind(&app.description)
    .bind(app.logo_url.clone())
    .bind(redirect_uris_json(&app.redirect_uris))
    .bind(app.allowed_scopes.to_csv())
    .bind(app.grant_types.join(","))
    .bind(app.owner_id.clone())
    .bind(now)
    .execute(&db.pool)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::Conflict("An application with this client_id already exists.".into())
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// Disables (Some(now)) or re-enables (None) an app. False if there is no such app.
pub async fn set_disabled(
    db: &Db,
    client_id: &str,
    disabled_at: Option<i64>,
    now: i64,
) -> ApiResult<bool> {
    let done =
        sqlx::query("update oauth_app set disabled_at = $1, updated_at = $2 where client_id = $3")
            .bind(disabled_at)
            .bind(now)
            .bind(client_id)
            .execute(&db.pool)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the client secret. False if there is no such app.
pub async fn set_secret(
    db: &Db,
    client_id: &str,
    secret: &HashedSecret,
    now: i64,
) -> ApiResult<bool> {
    let done = sqlx::query(
        "update oauth_app set client_secret_hash = $1, client_secret_salt = $2, updated_at = $3
         where client_id = $4",
    )
    .bind(&secret.hash)
    .bind(&secret.salt)
    .bind(now)
    .bind(client_id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an app and, by cascade, its grants, codes and tokens. False if there is no such app.
pub async fn delete_app(db: &Db, client_id: &str) -> ApiResult<bool> {
    let done = sqlx::query("delete from oauth_app where client_id = $1")
        .bind(client_id)
        .execute(&db.pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many rows hang off an app (for operators: show-app, delete-app, the test server's cleanup).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppUsage {
    pub grants: i64,
    pub authorization_codes: i64,
    pub access_tokens: i64,
    pub refresh_tokens: i64,
}

const APP_USAGE_SQL: &str = "select
    (select count(*) from oauth_grant g where g.oauth_app_id = $1) as grants,
    (select count(*) from authorization_code c join oauth_grant g on g.grant_id = c.grant_id
        where g.oauth_app_id = $1) as authorization_codes,
    (select count(*) from access_token t join oauth_grant g on g.grant_id = t.grant_id
        where g.oauth_app_id = $1) as access_tokens,
    (select count(*) from refresh_token r join oauth_grant g on g.grant_id = r.grant_id
        where g.oauth_app_id = $1) as refresh_tokens";

fn usage_from_row(row: &sqlx::any::AnyRow) -> ApiResult<AppUsage> {
    Ok(AppUsage {
        grants: row.try_get("grants")?,
        authorization_codes: row.try_get("authorization_codes")?,
        access_tokens: row.try_get("access_tokens")?,
        refresh_tokens: row.try_get("refresh_tokens")?,
    })
}

/// Counts an app's grants, codes and tokens (expired and revoked ones included).
pub async fn app_usage(db: &Db, oauth_app_id: &str) -> ApiResult<AppUsage> {
    let row = sqlx::query(APP_USAGE_SQL)
        .bind(oauth_app_id)
        .fetch_one(&db.pool)
        .await?;
    usage_from_row(&row)
}

/// Deletes an app and, by cascade, everything below it; returns what went
/// (counted in the same transaction), or None if there is no such app.
pub async fn delete_app_counting(db: &Db, client_id: &str) -> ApiResult<Option<AppUsage>> {
    let mut tx = db.pool.begin().await?;
    // The counts are read just before the cascade removes the rows; they are
    // for the operator's information (a grant racing in between is removed
    // all the same, just not counted).
    let app_id = sqlx::query("select oauth_app_id from oauth_app where client_id = $1")
        .bind(client_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(app_id) = app_id else {
        tx.rollback().await?;
        return Ok(None);
    };
    let app_id: String = app_id.try_get("oauth_app_id")?;
    let usage = sqlx::query(APP_USAGE_SQL)
        .bind(&app_id)
        .fetch_one(&mut *tx)
        .await?;
    let usage = usage_from_row(&usage)?;
    sqlx::query("delete from oauth_app where oauth_app_id = $1")
        .bind(&app_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(usage))
}
