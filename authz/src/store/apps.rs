//! Registered applications (OAuth clients) and their redirect URIs.

use super::{has_nul, Db, OnUnique, StoreError, StoreResult, Write, WriteFuture};
use crate::crypto::HashedSecret;
use crate::domain::client::{ApplicationType, Client, GrantType};
use crate::domain::oidc::SigningAlg;
use crate::domain::registration::AcceptedRegistration;
use shared::{ClientId, RedirectUri, Registration, ScopeSet};
use sqlx::{AnyConnection, Row};

/// What registration needs; ids and secrets are made by the caller.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub oauth_app_id: String,
    pub client_id: ClientId,
    pub secret: Option<HashedSecret>,
    pub name: String,
    pub description: String,
    pub logo_url: Option<String>,
    pub redirect_uris: Vec<RedirectUri>,
    pub allowed_scopes: ScopeSet,
    pub grant_types: Vec<GrantType>,
    pub owner_id: Option<String>,
    pub registration: Registration,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub application_type: Option<ApplicationType>,
    /// For a metadata-document client: until when its document may be used.
    pub metadata_expires_at: Option<i64>,
    /// Where RP-initiated logout may send the person (exact strings).
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    /// None: RS256.
    pub id_token_alg: Option<SigningAlg>,
}

impl NewClient {
    /// A client that described itself (dynamic registration, a metadata
    /// document), as the rules accepted it; a nameless one is named by the
    /// host of its first redirect URI.
    pub fn from_accepted(
        accepted: AcceptedRegistration,
        client_id: ClientId,
        registration: Registration,
        secret: Option<HashedSecret>,
    ) -> Self {
        let name = accepted.name.unwrap_or_else(|| {
            accepted
                .redirect_uris
                .first()
                .map_or("Unnamed app", |u| u.display_host())
                .to_owned()
        });
        NewClient {
            oauth_app_id: crate::crypto::random_id(),
            client_id,
            secret,
            name,
            description: String::new(),
            logo_url: accepted.logo_uri,
            redirect_uris: accepted.redirect_uris,
            allowed_scopes: accepted.scopes,
            grant_types: accepted.grant_types,
            owner_id: None,
            registration,
            client_uri: accepted.client_uri,
            policy_uri: accepted.policy_uri,
            tos_uri: accepted.tos_uri,
            application_type: Some(accepted.application_type),
            metadata_expires_at: None,
            post_logout_redirect_uris: accepted.post_logout_redirect_uris,
            id_token_alg: accepted.id_token_alg,
        }
    }

    /// An operator-registered client with nothing beyond the basics.
    #[allow(clippy::too_many_arguments)]
    pub fn operator(
        oauth_app_id: String,
        client_id: ClientId,
        secret: Option<HashedSecret>,
        name: String,
        description: String,
        redirect_uris: Vec<RedirectUri>,
        allowed_scopes: ScopeSet,
        owner_id: Option<String>,
    ) -> Self {
        NewClient {
            oauth_app_id,
            client_id,
            secret,
            name,
            description,
            logo_url: None,
            redirect_uris,
            allowed_scopes,
            grant_types: GrantType::ALL.to_vec(),
            owner_id,
            registration: Registration::Operator,
            client_uri: None,
            policy_uri: None,
            tos_uri: None,
            application_type: None,
            metadata_expires_at: None,
            post_logout_redirect_uris: Vec::new(),
            id_token_alg: None,
        }
    }
}

/// Grant types as stored: space-separated wire names.
pub fn grant_types_text(grant_types: &[GrantType]) -> String {
    grant_types
        .iter()
        .map(|g| g.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) const APP_COLUMNS: &str =
    "a.oauth_app_id, a.client_id, a.client_secret_hash, a.client_secret_salt,
    a.name, a.description, a.logo_url, a.allowed_scopes, a.grant_types, a.owner_id, a.disabled_at,
    a.created_at, a.updated_at, a.registration, a.metadata_expires_at, a.client_uri, a.policy_uri,
    a.tos_uri, a.application_type, a.id_token_signed_response_alg";

pub(super) fn client_from_row(row: &sqlx::any::AnyRow) -> StoreResult<Client> {
    let hash: Option<String> = row.try_get("client_secret_hash")?;
    let salt: Option<String> = row.try_get("client_secret_salt")?;
    let scopes: String = row.try_get("allowed_scopes")?;
    let grant_types: String = row.try_get("grant_types")?;
    let client_id: String = row.try_get("client_id")?;
    let registration: String = row.try_get("registration")?;
    let application_type: Option<String> = row.try_get("application_type")?;
    Ok(Client {
        registration: Registration::parse(&registration)
            .ok_or_else(|| StoreError::Corrupt(format!("registration {registration:?}")))?,
        metadata_expires_at: row.try_get("metadata_expires_at")?,
        client_uri: row.try_get("client_uri")?,
        policy_uri: row.try_get("policy_uri")?,
        tos_uri: row.try_get("tos_uri")?,
        application_type: application_type.as_deref().and_then(ApplicationType::parse),
        id_token_alg: row
            .try_get::<Option<String>, _>("id_token_signed_response_alg")?
            .as_deref()
            .and_then(SigningAlg::parse)
            .unwrap_or(SigningAlg::Rs256),
        oauth_app_id: row.try_get("oauth_app_id")?,
        secret: match (hash, salt) {
            (Some(hash), Some(salt)) => Some(HashedSecret { hash, salt }),
            _ => None,
        },
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        logo_url: row.try_get("logo_url")?,
        // Scopes and grant types dropped from the catalogue since
        // registration are ignored rather than fatal.
        allowed_scopes: ScopeSet::new(scopes.split_whitespace().filter_map(|s| s.parse().ok())),
        grant_types: grant_types
            .split_whitespace()
            .filter_map(GrantType::parse)
            .collect(),
        owner_id: row.try_get("owner_id")?,
        disabled_at: row.try_get("disabled_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        client_id: ClientId::parse(&client_id)
            .ok_or_else(|| StoreError::Corrupt(format!("client_id {client_id:?}")))?,
    })
}

/// The client with this id, active or not.
pub async fn find_client(db: &Db, client_id: &ClientId) -> StoreResult<Option<Client>> {
    let row = sqlx::query(&client_sql())
        .bind(client_id.as_str())
        .fetch_optional(&db.read)
        .await?;
    row.as_ref().map(client_from_row).transpose()
}

/// The client with this id, and whether `redirect_uri` is exactly one it
/// registered (RFC 9700 §4.1.3: byte-for-byte, matched in SQL on the index).
pub async fn find_client_for_redirect(
    db: &Db,
    client_id: &ClientId,
    redirect_uri: &RedirectUri,
) -> StoreResult<Option<(Client, bool)>> {
    if has_nul(redirect_uri.as_str()) {
        return Ok(find_client(db, client_id).await?.map(|c| (c, false)));
    }
    // Matched on the key (the exact URI, or an http loopback URI without its
    // port: RFC 8252 §7.3), in SQL, on the index.
    let row = sqlx::query(&client_for_redirect_sql())
        .bind(client_id.as_str())
        .bind(redirect_uri.match_key())
        .fetch_optional(&db.read)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let registered: i64 = row.try_get("registered")?;
    Ok(Some((client_from_row(&row)?, registered == 1)))
}

fn client_for_redirect_sql() -> String {
    format!(
        "select {APP_COLUMNS},
            cast(case when exists (select 1 from oauth_app_redirect_uri r
                                   where r.oauth_app_id = a.oauth_app_id and r.match_key = $2)
                      then 1 else 0 end as bigint) as registered
         from oauth_app a where a.client_id = $1"
    )
}

fn client_sql() -> String {
    format!("select {APP_COLUMNS} from oauth_app a where a.client_id = $1")
}

#[cfg(test)]
pub(super) fn hot_sql() -> Vec<String> {
    vec![client_sql(), client_for_redirect_sql()]
}

/// Whether `uri` is one of the post-logout redirect URIs the app registered.
pub async fn has_post_logout_uri(db: &Db, oauth_app_id: &str, uri: &str) -> StoreResult<bool> {
    if has_nul(uri) {
        return Ok(false);
    }
    Ok(sqlx::query(
        "select 1 as one from oauth_app_post_logout_uri where oauth_app_id = $1 and uri = $2",
    )
    .bind(oauth_app_id)
    .bind(uri)
    .fetch_optional(&db.read)
    .await?
    .is_some())
}

/// The post-logout redirect URIs an app registered.
pub async fn post_logout_uris(db: &Db, oauth_app_id: &str) -> StoreResult<Vec<String>> {
    sqlx::query("select uri from oauth_app_post_logout_uri where oauth_app_id = $1 order by uri")
        .bind(oauth_app_id)
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("uri")?))
        .collect()
}

/// The redirect URIs an app registered, in registration order.
pub async fn redirect_uris(db: &Db, oauth_app_id: &str) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "select redirect_uri from oauth_app_redirect_uri where oauth_app_id = $1 order by redirect_uri",
    )
    .bind(oauth_app_id)
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get("redirect_uri")?))
        .collect()
}

/// Every app, oldest first.
pub async fn list_clients(db: &Db) -> StoreResult<Vec<Client>> {
    let rows = sqlx::query(&format!(
        "select {APP_COLUMNS} from oauth_app a order by a.created_at, a.client_id"
    ))
    .fetch_all(&db.read)
    .await?;
    rows.iter().map(client_from_row).collect()
}

/// A client to register, at `now`; with `replace`, a metadata-document
/// client that may already be there.
struct Save {
    app: NewClient,
    now: i64,
    replace: bool,
}

impl Write for Save {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        let (app, now) = (&self.app, self.now);
        Box::pin(async move {
            if self.replace {
                // A metadata document fetched again: its row is refreshed in
                // place (grants hang off it), its redirect URIs replaced.
                let updated = sqlx::query(
                    "update oauth_app set name = $1, description = $2, logo_url = $3,
                        allowed_scopes = $4, grant_types = $5, client_uri = $6, policy_uri = $7,
                        tos_uri = $8, application_type = $9, metadata_expires_at = $10,
                        updated_at = $11, id_token_signed_response_alg = $13
                     where client_id = $12 and registration = 'metadata_document'",
                )
                .bind(&app.name)
                .bind(&app.description)
                .bind(app.logo_url.clone())
                .bind(app.allowed_scopes.to_space_separated())
                .bind(grant_types_text(&app.grant_types))
                .bind(app.client_uri.clone())
                .bind(app.policy_uri.clone())
                .bind(app.tos_uri.clone())
                .bind(app.application_type.map(|t| t.as_str()))
                .bind(app.metadata_expires_at)
                .bind(now)
                .bind(app.client_id.as_str())
                .bind(app.id_token_alg.map(|a| a.as_str()))
                .execute(&mut *conn)
                .await?;
                if updated.rows_affected() == 1 {
                    sqlx::query(
                        "delete from oauth_app_post_logout_uri where oauth_app_id =
                            (select oauth_app_id from oauth_app where client_id = $1)",
                    )
                    .bind(app.client_id.as_str())
                    .execute(&mut *conn)
                    .await?;
                    for uri in &app.post_logout_redirect_uris {
                        sqlx::query(
                            "insert into oauth_app_post_logout_uri (oauth_app_id, uri)
                             select oauth_app_id, $2 from oauth_app where client_id = $1",
                        )
                        .bind(app.client_id.as_str())
                        .bind(uri.as_str())
                        .execute(&mut *conn)
                        .await
                        .on_unique("this post-logout redirect URI for the application")?;
                    }
                    sqlx::query(
                        "delete from oauth_app_redirect_uri where oauth_app_id =
                            (select oauth_app_id from oauth_app where client_id = $1)",
                    )
                    .bind(app.client_id.as_str())
                    .execute(&mut *conn)
                    .await?;
                    for uri in &app.redirect_uris {
                        sqlx::query(
                            "insert into oauth_app_redirect_uri (oauth_app_id, redirect_uri, match_key)
                             select oauth_app_id, $2, $3 from oauth_app where client_id = $1",
                        )
                        .bind(app.client_id.as_str())
                        .bind(uri.as_str())
                        .bind(uri.match_key())
                        .execute(&mut *conn)
                        .await
                        .on_unique("this redirect URI for the application")?;
                    }
                    return Ok(());
                }
            }
            sqlx::query(
                "insert into oauth_app (oauth_app_id, client_id, client_secret_hash, client_secret_salt,
                    name, description, logo_url, allowed_scopes, grant_types, owner_id, disabled_at,
                    created_at, updated_at, registration, metadata_expires_at, client_uri, policy_uri,
                    tos_uri, application_type, id_token_signed_response_alg)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, null, $11, $11, $12, $13, $14, $15,
                    $16, $17, $18)",
            )
            .bind(&app.oauth_app_id)
            .bind(app.client_id.as_str())
            .bind(app.secret.as_ref().map(|s| s.hash.clone()))
            .bind(app.secret.as_ref().map(|s| s.salt.clone()))
            .bind(&app.name)
            .bind(&app.description)
            .bind(app.logo_url.clone())
            .bind(app.allowed_scopes.to_space_separated())
            .bind(grant_types_text(&app.grant_types))
            .bind(app.owner_id.clone())
            .bind(now)
            .bind(app.registration.as_str())
            .bind(app.metadata_expires_at)
            .bind(app.client_uri.clone())
            .bind(app.policy_uri.clone())
            .bind(app.tos_uri.clone())
            .bind(app.application_type.map(|t| t.as_str()))
            .bind(app.id_token_alg.map(|a| a.as_str()))
            .execute(&mut *conn)
            .await
            .on_unique("an application with this client_id")?;
            for uri in &app.post_logout_redirect_uris {
                sqlx::query(
                    "insert into oauth_app_post_logout_uri (oauth_app_id, uri) values ($1, $2)",
                )
                .bind(&app.oauth_app_id)
                .bind(uri.as_str())
                .execute(&mut *conn)
                .await
                .on_unique("this post-logout redirect URI for the application")?;
            }
            for uri in &app.redirect_uris {
                sqlx::query(
                    "insert into oauth_app_redirect_uri (oauth_app_id, redirect_uri, match_key)
                     values ($1, $2, $3)",
                )
                .bind(&app.oauth_app_id)
                .bind(uri.as_str())
                .bind(uri.match_key())
                .execute(&mut *conn)
                .await
                .on_unique("this redirect URI for the application")?;
            }
            Ok(())
        })
    }
}

/// Registers a client with its redirect URIs, atomically.
pub async fn insert_client(db: &Db, app: &NewClient, now: i64) -> StoreResult<()> {
    db.write(Save {
        app: app.clone(),
        now,
        replace: false,
    })
    .await
}

/// Stores a metadata-document client as last fetched: inserted the first
/// time, refreshed in place after (its grants and tokens stay).
pub async fn upsert_metadata_client(db: &Db, app: &NewClient, now: i64) -> StoreResult<()> {
    db.write(Save {
        app: app.clone(),
        now,
        replace: true,
    })
    .await
}

/// How many self-registered clients exist (registration is capped).
/// Clients nobody vouched for: self-registered and metadata-document ones
/// (both fill rows anyone can make).
pub async fn count_dynamic(db: &Db) -> StoreResult<i64> {
    Ok(
        sqlx::query("select count(*) as n from oauth_app where registration <> 'operator'")
            .fetch_one(&db.read)
            .await?
            .try_get("n")?,
    )
}

/// One update of an app by client id; reports whether there was such an app.
struct AppUpdate {
    sql: &'static str,
    client_id: ClientId,
    /// Bound as $1 and $2 (as text, or null).
    first: Option<String>,
    second: Option<String>,
    disabled_at: Option<i64>,
    now: i64,
}

impl Write for AppUpdate {
    type Output = bool;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, bool> {
        Box::pin(async move {
            let q = sqlx::query(self.sql);
            let q = if self.first.is_some() {
                q.bind(self.first.clone()).bind(self.second.clone())
            } else {
                q.bind(self.disabled_at)
            };
            let done = q
                .bind(self.now)
                .bind(self.client_id.as_str())
                .execute(conn)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}

/// Disables (Some(now)) or re-enables (None) an app. False if there is no such app.
pub async fn set_disabled(
    db: &Db,
    client_id: &ClientId,
    disabled_at: Option<i64>,
    now: i64,
) -> StoreResult<bool> {
    db.write_one(AppUpdate {
        sql: "update oauth_app set disabled_at = $1, updated_at = $2 where client_id = $3",
        client_id: client_id.clone(),
        first: None,
        second: None,
        disabled_at,
        now,
    })
    .await
}

/// Replaces the client secret. False if there is no such app.
pub async fn set_secret(
    db: &Db,
    client_id: &ClientId,
    secret: &HashedSecret,
    now: i64,
) -> StoreResult<bool> {
    db.write_one(AppUpdate {
        sql:
            "update oauth_app set client_secret_hash = $1, client_secret_salt = $2, updated_at = $3
              where client_id = $4",
        client_id: client_id.clone(),
        first: Some(secret.hash.clone()),
        second: Some(secret.salt.clone()),
        disabled_at: None,
        now,
    })
    .await
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

fn usage_from_row(row: &sqlx::any::AnyRow) -> StoreResult<AppUsage> {
    Ok(AppUsage {
        grants: row.try_get("grants")?,
        authorization_codes: row.try_get("authorization_codes")?,
        access_tokens: row.try_get("access_tokens")?,
        refresh_tokens: row.try_get("refresh_tokens")?,
    })
}

/// Counts an app's grants, codes and tokens (expired and revoked ones included).
pub async fn app_usage(db: &Db, oauth_app_id: &str) -> StoreResult<AppUsage> {
    let row = sqlx::query(APP_USAGE_SQL)
        .bind(oauth_app_id)
        .fetch_one(&db.read)
        .await?;
    usage_from_row(&row)
}

/// Deletes an app and, by cascade, everything below it, counting first.
struct Deletion(ClientId);

impl Write for Deletion {
    type Output = Option<AppUsage>;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, Option<AppUsage>> {
        Box::pin(async move {
            // The counts are read just before the cascade removes the rows;
            // they are for the operator's information.
            let app_id = sqlx::query("select oauth_app_id from oauth_app where client_id = $1")
                .bind(self.0.as_str())
                .fetch_optional(&mut *conn)
                .await?;
            let Some(app_id) = app_id else {
                return Ok(None);
            };
            let app_id: String = app_id.try_get("oauth_app_id")?;
            let usage = sqlx::query(APP_USAGE_SQL)
                .bind(&app_id)
                .fetch_one(&mut *conn)
                .await?;
            let usage = usage_from_row(&usage)?;
            sqlx::query("delete from oauth_app where oauth_app_id = $1")
                .bind(&app_id)
                .execute(&mut *conn)
                .await?;
            Ok(Some(usage))
        })
    }
}

/// Deletes an app and, by cascade, everything below it; returns what went
/// (counted in the same transaction), or None if there is no such app.
pub async fn delete_client(db: &Db, client_id: &ClientId) -> StoreResult<Option<AppUsage>> {
    db.write(Deletion(client_id.clone())).await
}
