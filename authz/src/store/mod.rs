//! The only place that speaks SQL. sqlx's `Any` driver serves both backends:
//! SQLite (embedded default) and PostgreSQL (scale-out); the schema and every
//! statement here are portable between them.
//!
//! Reads go to a pool. Writes go through [`Db::write`]: on SQLite, which has
//! one writer at a time whatever we do, to a task that owns the one write
//! connection and commits queued writes together (`writer.rs`); on
//! PostgreSQL, to a task of their own on the pool, so a client that hangs up
//! cannot cut a transaction short.
//!
//! The store persists and claims; it never decides a protocol question and
//! never speaks HTTP. It returns domain rows and its own [`StoreError`].

pub mod apps;
pub mod consents;
mod error;
pub mod grants;
pub mod keys;
pub mod limits;
pub mod resources;
pub mod sessions;
pub mod users;
mod writer;

pub use error::{OnUnique, StoreError, StoreResult};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Row};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
pub use writer::{Write, WriteFuture};

/// The migrations, embedded so the server and the CLI carry their schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Which database we talk to (for dialect-specific output such as the CLI's SQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// The connections and the backend behind them.
#[derive(Debug, Clone)]
pub struct Db {
    /// For statements that only read.
    pub read: AnyPool,
    writes: Writes,
    pub backend: Backend,
    suspect: Arc<Suspicion>,
}

/// After the database was found unreachable, pooled connections may be dead
/// (a restarted PostgreSQL closed them all). For a while each one is pinged
/// before use and replaced if it does not answer, so service resumes with
/// the first request after the outage; otherwise no ping is paid.
#[derive(Debug)]
struct Suspicion {
    start: Instant,
    until_ms: AtomicU64,
}

impl Suspicion {
    const FOR: Duration = Duration::from_secs(30);

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn raise(&self) {
        let until = self
            .elapsed_ms()
            .saturating_add(Self::FOR.as_millis() as u64);
        self.until_ms.fetch_max(until, Ordering::Relaxed);
    }

    fn active(&self) -> bool {
        self.elapsed_ms() < self.until_ms.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone)]
enum Writes {
    Sqlite(writer::Writer),
    Postgres(AnyPool),
}

/// Every SQLite connection's settings. WAL lets readers proceed while one
/// writer commits; NORMAL sync is durable across application crashes in WAL
/// mode. (A lock held by another process, a second instance or the CLI, is
/// waited for up to the database timeout: `busy_timeout`, set per connection.)
pub(crate) const SQLITE_PRAGMAS: &[&str] = &[
    "pragma journal_mode = wal",
    "pragma synchronous = normal",
    "pragma foreign_keys = on",
];

/// How long a request waits for the database before it fails (503).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Errors opening the database, worded for an operator.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported DATABASE_URL (expected sqlite:… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("cannot create the database directory {0}: {1}")]
    CreateDir(String, std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("cannot run migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot bring stored rows up to date: {0}")]
    Prepare(StoreError),
}

/// The file path of a `sqlite:` URL, if it names a file.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// PostgreSQL refuses NUL in text; no stored key or name has one, so a
/// lookup with one can only miss.
pub(crate) fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

impl Db {
    /// Opens the database (creating the SQLite file and its directory when
    /// needed) and runs the migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
        Self::connect_with(url, max_connections, DEFAULT_TIMEOUT).await
    }

    /// `connect`, waiting at most `timeout` for a connection (or a lock held
    /// by another process) before a request fails with `Unavailable`.
    pub async fn connect_with(
        url: &str,
        max_connections: u32,
        timeout: Duration,
    ) -> Result<Db, ConnectError> {
        let db = Self::open_with(url, max_connections, timeout).await?;
        MIGRATOR.run(&db.read).await?;
        resources::fill_missing_keys(&db)
            .await
            .map_err(ConnectError::Prepare)?;
        Ok(db)
    }

    /// Opens the database without touching its schema.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
        Self::open_with(url, max_connections, DEFAULT_TIMEOUT).await
    }

    async fn open_with(
        url: &str,
        max_connections: u32,
        timeout: Duration,
    ) -> Result<Db, ConnectError> {
        sqlx::any::install_default_drivers();
        let backend =
            Backend::from_url(url).ok_or_else(|| ConnectError::UnsupportedUrl(url.to_owned()))?;
        if backend == Backend::Sqlite {
            if let Some(dir) = sqlite_path(url)
                .and_then(|p| std::path::Path::new(p).parent())
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| ConnectError::CreateDir(dir.display().to_string(), e))?;
            }
        }
        let options = AnyConnectOptions::from_str(url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(
                tracing::log::LevelFilter::Warn,
                std::time::Duration::from_secs(1),
            );
        let busy_timeout = format!("pragma busy_timeout = {}", timeout.as_millis());
        let suspect = Arc::new(Suspicion {
            start: Instant::now(),
            until_ms: AtomicU64::new(0),
        });
        let check = Arc::clone(&suspect);
        let read = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            // Fail fast when the database is unreachable: a request gets 503
            // after this, instead of queueing behind a dead server.
            .acquire_timeout(timeout)
            // A ping before every use doubles the cost of a short read; a
            // broken connection fails its statement and is replaced anyway.
            .test_before_acquire(false)
            .before_acquire(move |conn, _meta| {
                let check = check.active();
                Box::pin(async move { Ok(!check || conn.ping().await.is_ok()) })
            })
            .after_connect(move |conn, _meta| {
                let busy_timeout = busy_timeout.clone();
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in SQLITE_PRAGMAS {
                            conn.execute(*pragma).await?;
                        }
                        conn.execute(busy_timeout.as_str()).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        let writes = match backend {
            Backend::Sqlite => Writes::Sqlite(writer::Writer::start(options, timeout).await?),
            Backend::Postgres => Writes::Postgres(read.clone()),
        };
        Ok(Db {
            read,
            writes,
            backend,
            suspect,
        })
    }

    /// Runs `write` as one write transaction (batched with others on
    /// SQLite), to the end even if the caller stops waiting.
    pub async fn write<W: Write>(&self, write: W) -> StoreResult<W::Output> {
        match &self.writes {
            Writes::Sqlite(writer) => writer.run(write).await,
            Writes::Postgres(pool) => {
                let pool = pool.clone();
                spawned(async move {
                    let mut tx = pool.begin().await?;
                    let out = write.run(&mut tx).await?;
                    tx.commit().await?;
                    Ok(out)
                })
                .await
            }
        }
    }

    /// Runs a write that is a single statement: on PostgreSQL without a
    /// transaction around it (it is atomic on its own; one round trip, not
    /// three), on SQLite like any other write.
    pub async fn write_one<W: Write>(&self, write: W) -> StoreResult<W::Output> {
        match &self.writes {
            Writes::Sqlite(writer) => writer.run(write).await,
            Writes::Postgres(pool) => {
                let pool = pool.clone();
                spawned(async move {
                    let mut conn = pool.acquire().await?;
                    write.run(&mut conn).await
                })
                .await
            }
        }
    }

    /// Says the database was just found unreachable: pooled connections are
    /// checked before use for a while (see [`Suspicion`]).
    pub fn suspect_connections(&self) {
        self.suspect.raise();
    }

    /// Whether the database answers at all.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.read).await?;
        Ok(())
    }

    /// The newest migration the database has applied, and the newest this
    /// build carries: equal when the schema is current.
    pub async fn schema_versions(&self) -> StoreResult<(Option<i64>, i64)> {
        let applied: Option<i64> =
            sqlx::query("select max(version) as v from _sqlx_migrations where success = true")
                .fetch_one(&self.read)
                .await?
                .try_get("v")?;
        let latest = MIGRATOR
            .migrations
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0);
        Ok((applied, latest))
    }

    /// Closes the pool (waiting for connections in use).
    pub async fn close(&self) {
        self.read.close().await;
    }

    /// Deletes expired codes, tokens and sessions, grants nothing refers to
    /// any more, and clients that registered themselves (or were fetched as
    /// metadata documents) but hold no grant after `unused_client_ttl`; a
    /// thousand rows a statement so that requests' writes never wait long
    /// behind it. Returns how many rows went.
    pub async fn delete_expired(
        &self,
        now: i64,
        grace: i64,
        limit_window: i64,
        unused_client_ttl: i64,
    ) -> StoreResult<u64> {
        let mut deleted = 0;
        for (sql, before) in [
            (
                "delete from authorization_code where code_hash in
                (select code_hash from authorization_code where expires_at < $1 limit $2)",
                now,
            ),
            (
                "delete from access_token where token_hash in
                (select token_hash from access_token where expires_at < $1 limit $2)",
                now,
            ),
            (
                "delete from refresh_token where token_hash in
                (select token_hash from refresh_token where expires_at < $1 limit $2)",
                now,
            ),
            (
                "delete from user_session where session_hash in
                (select session_hash from user_session where expires_at < $1 limit $2)",
                now,
            ),
            (
                "delete from auth_failure where limit_key in
                (select limit_key from auth_failure where window_start < $1 limit $2)",
                now - limit_window,
            ),
            (
                "delete from oauth_grant where grant_id in
                (select g.grant_id from oauth_grant g where g.created_at < $1
                   and not exists (select 1 from authorization_code c where c.grant_id = g.grant_id)
                   and not exists (select 1 from access_token t where t.grant_id = g.grant_id)
                   and not exists (select 1 from refresh_token r where r.grant_id = g.grant_id)
                 limit $2)",
                now - grace,
            ),
            (
                "delete from oauth_app where oauth_app_id in
                (select a.oauth_app_id from oauth_app a
                  where a.registration = 'dynamic' and a.created_at < $1
                    and not exists (select 1 from oauth_grant g where g.oauth_app_id = a.oauth_app_id)
                  limit $2)",
                now - unused_client_ttl,
            ),
            (
                "delete from oauth_app where oauth_app_id in
                (select a.oauth_app_id from oauth_app a
                  where a.registration = 'metadata_document' and a.metadata_expires_at < $1
                    and not exists (select 1 from oauth_grant g where g.oauth_app_id = a.oauth_app_id)
                  limit $2)",
                now - unused_client_ttl,
            ),
        ] {
            loop {
                let n = self.write_one(DeleteChunk { sql, before }).await?;
                deleted += n;
                if n < DeleteChunk::ROWS as u64 {
                    break;
                }
            }
        }
        Ok(deleted)
    }
}

/// One bounded delete of the expiry sweep.
struct DeleteChunk {
    sql: &'static str,
    before: i64,
}

impl DeleteChunk {
    const ROWS: i64 = 1000;
}

impl Write for DeleteChunk {
    type Output = u64;
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> WriteFuture<'c, u64> {
        Box::pin(async move {
            Ok(sqlx::query(self.sql)
                .bind(self.before)
                .bind(Self::ROWS)
                .execute(conn)
                .await?
                .rows_affected())
        })
    }
}

/// Runs `work` on a task of its own: dropping the caller's future (a client
/// hanging up) does not stop it half-way.
async fn spawned<T: Send + 'static>(
    work: impl std::future::Future<Output = StoreResult<T>> + Send + 'static,
) -> StoreResult<T> {
    tokio::spawn(work)
        .await
        .map_err(|_| StoreError::Db(sqlx::Error::WorkerCrashed))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_are_found_in_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/oauth.db?mode=rwc"),
            Some("data/oauth.db")
        );
        assert_eq!(sqlite_path("sqlite:///tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(Backend::from_url("mysql://x"), None);
    }
}
