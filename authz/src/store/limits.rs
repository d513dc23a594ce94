//! Failure counts shared by every instance (`auth_failure`): one atomic
//! upsert per event, read before any expensive check.

use super::{Db, StoreResult, Write, WriteFuture};
use crate::domain::limits::Count;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// The current counts of `keys` (absent keys have none).
pub async fn counts(db: &Db, keys: &[String]) -> StoreResult<HashMap<String, Count>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "select limit_key, failures, window_start from auth_failure where limit_key in ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for key in keys {
        query = query.bind(key);
    }
    let rows = query.fetch_all(&db.read).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("limit_key")?,
                Count {
                    failures: r.try_get("failures")?,
                    window_start: r.try_get("window_start")?,
                },
            ))
        })
        .collect()
}

/// One event for each key: a count in a window that has ended starts again at 1.
struct Record {
    /// `(key, window)`: each key's window length in seconds.
    keys: Vec<(String, i64)>,
    now: i64,
}

impl Write for Record {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            for (key, window) in &self.keys {
                sqlx::query(
                    "insert into auth_failure (limit_key, failures, window_start) values ($1, 1, $2)
                     on conflict (limit_key) do update set
                       failures = case when auth_failure.window_start <= $3 then 1
                                       else auth_failure.failures + 1 end,
                       window_start = case when auth_failure.window_start <= $3 then $2
                                           else auth_failure.window_start end",
                )
                .bind(key)
                .bind(self.now)
                .bind(self.now - window)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    }
}

/// Counts one event for each `(key, window)`.
pub async fn record(db: &Db, keys: Vec<(String, i64)>, now: i64) -> StoreResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    db.write(Record { keys, now }).await
}

struct Clear(String);

impl Write for Clear {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            sqlx::query("delete from auth_failure where limit_key = $1")
                .bind(&self.0)
                .execute(conn)
                .await?;
            Ok(())
        })
    }
}

/// Forgets a key's count (a success ends an account's failures).
pub async fn clear(db: &Db, key: String) -> StoreResult<()> {
    db.write_one(Clear(key)).await
}
