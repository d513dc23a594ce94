//! Registered protected resources (the services tokens are for).

use super::{has_nul, Db, OnUnique, StoreError, StoreResult, Write, WriteFuture};
use crate::crypto::HashedSecret;
use crate::domain::resource::Resource;
use shared::{ResourceUri, ScopeSet};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const COLUMNS: &str = "protected_resource_id, resource_uri, name, secret_hash, secret_salt, scopes,
    disabled_at, created_at";

fn from_row(r: &AnyRow) -> StoreResult<Resource> {
    let uri: String = r.try_get("resource_uri")?;
    let scopes: String = r.try_get("scopes")?;
    Ok(Resource {
        protected_resource_id: r.try_get("protected_resource_id")?,
        uri: ResourceUri::parse(&uri)
            .ok_or_else(|| StoreError::Corrupt(format!("resource {uri:?}")))?,
        name: r.try_get("name")?,
        secret: HashedSecret {
            hash: r.try_get("secret_hash")?,
            salt: r.try_get("secret_salt")?,
        },
        scopes: ScopeSet::new(scopes.split_whitespace().filter_map(|s| s.parse().ok())),
        disabled_at: r.try_get("disabled_at")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The registered resources among `uris` (active or not), whichever
/// equivalent spelling each is given in (`ResourceUri::key`).
pub async fn find_by_uris(db: &Db, uris: &[ResourceUri]) -> StoreResult<Vec<Resource>> {
    if uris.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=uris.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "select {COLUMNS} from protected_resource where resource_key in ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for u in uris {
        q = q.bind(u.key());
    }
    q.fetch_all(&db.read).await?.iter().map(from_row).collect()
}

/// Gives rows registered before resources had keys theirs (see the
/// `resource_key` migration); a no-op once every row has one. A row whose
/// key another row already has (two spellings of one resource, registered
/// when that was possible) keeps none and is logged: only its exact
/// spelling no longer finds it.
pub async fn fill_missing_keys(db: &Db) -> StoreResult<()> {
    let rows = sqlx::query(
        "select protected_resource_id, resource_uri from protected_resource
         where resource_key is null",
    )
    .fetch_all(&db.read)
    .await?;
    for row in rows {
        let id: String = row.try_get("protected_resource_id")?;
        let uri: String = row.try_get("resource_uri")?;
        let Some(key) = ResourceUri::parse(&uri).map(|u| u.key()) else {
            continue;
        };
        match db.write_one(SetKey(id, key)).await {
            Err(StoreError::Duplicate(_)) => tracing::warn!(
                resource_uri = %uri,
                "a resource registered twice in equivalent spellings: disable or delete one"
            ),
            other => other?,
        }
    }
    Ok(())
}

struct SetKey(String, String);

impl Write for SetKey {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            sqlx::query(
                "update protected_resource set resource_key = $1 where protected_resource_id = $2",
            )
            .bind(&self.1)
            .bind(&self.0)
            .execute(conn)
            .await
            .on_unique("a resource with this URI")?;
            Ok(())
        })
    }
}

/// A resource by its id (how it authenticates).
pub async fn find_by_id(db: &Db, id: &str) -> StoreResult<Option<Resource>> {
    if has_nul(id) {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "select {COLUMNS} from protected_resource where protected_resource_id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.read)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every resource, oldest first.
pub async fn list(db: &Db) -> StoreResult<Vec<Resource>> {
    sqlx::query(&format!(
        "select {COLUMNS} from protected_resource order by created_at, resource_uri"
    ))
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

struct Insert(Resource);

impl Write for Insert {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        let r = &self.0;
        Box::pin(async move {
            sqlx::query(
                "insert into protected_resource (protected_resource_id, resource_uri, resource_key,
                    name, secret_hash, secret_salt, scopes, disabled_at, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7, null, $8)",
            )
            .bind(&r.protected_resource_id)
            .bind(r.uri.as_str())
            .bind(r.uri.key())
            .bind(&r.name)
            .bind(&r.secret.hash)
            .bind(&r.secret.salt)
            .bind(r.scopes.to_space_separated())
            .bind(r.created_at)
            .execute(conn)
            .await
            .on_unique("a resource with this URI")?;
            Ok(())
        })
    }
}

pub async fn insert(db: &Db, resource: &Resource) -> StoreResult<()> {
    db.write_one(Insert(resource.clone())).await
}

/// A change to one resource by id; whether there was such a resource.
enum Change {
    Disabled(String, Option<i64>),
    Deleted(String),
}

impl Write for Change {
    type Output = bool;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, bool> {
        Box::pin(async move {
            let done = match self {
                Change::Disabled(id, at) => {
                    sqlx::query(
                        "update protected_resource set disabled_at = $1 where protected_resource_id = $2",
                    )
                    .bind(*at)
                    .bind(id)
                    .execute(conn)
                    .await?
                }
                Change::Deleted(id) => {
                    sqlx::query("delete from protected_resource where protected_resource_id = $1")
                        .bind(id)
                        .execute(conn)
                        .await?
                }
            };
            Ok(done.rows_affected() == 1)
        })
    }
}

/// Disables (Some(now)) or re-enables (None) a resource.
pub async fn set_disabled(db: &Db, id: &str, disabled_at: Option<i64>) -> StoreResult<bool> {
    db.write_one(Change::Disabled(id.to_owned(), disabled_at))
        .await
}

pub async fn delete(db: &Db, id: &str) -> StoreResult<bool> {
    db.write_one(Change::Deleted(id.to_owned())).await
}
