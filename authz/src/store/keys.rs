//! Stored signing keys (their private parts sealed by `keys::Sealer`).

use super::{Db, OnUnique, StoreResult, Write, WriteFuture};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub private_key: String,
    pub public_jwk: String,
    pub created_at: i64,
}

/// Every key, oldest first.
pub async fn list(db: &Db) -> StoreResult<Vec<StoredKey>> {
    sqlx::query(
        "select kid, alg, private_key, public_jwk, created_at from signing_key
         order by created_at, kid",
    )
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(|r| {
        Ok(StoredKey {
            kid: r.try_get("kid")?,
            alg: r.try_get("alg")?,
            private_key: r.try_get("private_key")?,
            public_jwk: r.try_get("public_jwk")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}

struct Insert(StoredKey);

impl Write for Insert {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        let k = &self.0;
        Box::pin(async move {
            sqlx::query(
                "insert into signing_key (kid, alg, private_key, public_jwk, created_at)
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(&k.kid)
            .bind(&k.alg)
            .bind(&k.private_key)
            .bind(&k.public_jwk)
            .bind(k.created_at)
            .execute(conn)
            .await
            .on_unique("a signing key with this kid")?;
            Ok(())
        })
    }
}

pub async fn insert(db: &Db, key: &StoredKey) -> StoreResult<()> {
    db.write_one(Insert(key.clone())).await
}
