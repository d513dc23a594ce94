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

/// One event for each key, counted and read back in the same statement (a
/// count in a window that has ended starts again at 1): what a burst of
/// parallel attempts sees is each one's own place in line, so exactly the
/// allowed number get through, on every instance.
struct Reserve {
    keys: Vec<(String, i64)>,
    now: i64,
}

const UPSERT_SQL: &str =
    "insert into auth_failure (limit_key, failures, window_start) values ($1, 1, $2)
     on conflict (limit_key) do update set
       failures = case when auth_failure.window_start <= $3 then 1
                       else auth_failure.failures + 1 end,
       window_start = case when auth_failure.window_start <= $3 then $2
                           else auth_failure.window_start end";

impl Write for Reserve {
    type Output = Vec<Count>;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, Vec<Count>> {
        Box::pin(async move {
            let mut counts = Vec::with_capacity(self.keys.len());
            let sql = format!("{UPSERT_SQL} returning failures, window_start");
            for (key, window) in &self.keys {
                let row = sqlx::query(&sql)
                    .bind(key)
                    .bind(self.now)
                    .bind(self.now - window)
                    .fetch_one(&mut *conn)
                    .await?;
                counts.push(Count {
                    failures: row.try_get("failures")?,
                    window_start: row.try_get("window_start")?,
                });
            }
            Ok(counts)
        })
    }
}

/// Counts one event for each `(key, window)`; the counts after it, in order.
pub async fn reserve(db: &Db, keys: Vec<(String, i64)>, now: i64) -> StoreResult<Vec<Count>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    db.write(Reserve { keys, now }).await
}

struct Release(Vec<String>);

impl Write for Release {
    type Output = ();
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, ()> {
        Box::pin(async move {
            for key in &self.0 {
                sqlx::query(
                    "update auth_failure set failures = failures - 1
                     where limit_key = $1 and failures > 0",
                )
                .bind(key)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    }
}

/// Takes back one reserved event of each key (an attempt that turned out
/// not to fail, or was refused by another of its limits).
pub async fn release(db: &Db, keys: Vec<String>) -> StoreResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    db.write(Release(keys)).await
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
                sqlx::query(UPSERT_SQL)
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
