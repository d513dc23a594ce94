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
pub mod grants;
pub mod sessions;
pub mod users;
mod writer;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
pub use writer::{Write, WriteFuture};

/// The migrations, embedded so the server and the CLI carry their schema.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write; names what already exists
    /// ("an account with this email").
    #[error("{0} already exists")]
    Duplicate(&'static str),
    /// A stored value that the code cannot read (a bug or a hand edit).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Reads a unique-constraint violation as [`StoreError::Duplicate`] (the
/// database decides the race, not a check before the insert).
pub trait OnUnique<T> {
    fn on_unique(self, what: &'static str) -> StoreResult<T>;
}

impl<T> OnUnique<T> for Result<T, sqlx::Error> {
    fn on_unique(self, what: &'static str) -> StoreResult<T> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate(what),
            _ => StoreError::Db(e),
        })
    }
}

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
}

#[derive(Debug, Clone)]
enum Writes {
    Sqlite(writer::Writer),
    Postgres(AnyPool),
}

/// Every SQLite connection's settings. WAL lets readers proceed while one
/// writer commits; NORMAL sync is durable across application crashes in WAL
/// mode; a lock held by another process (a second instance, the CLI) is
/// waited for rather than failed on.
pub(crate) const SQLITE_PRAGMAS: &[&str] = &[
    "pragma journal_mode = wal",
    "pragma synchronous = normal",
    "pragma foreign_keys = on",
    "pragma busy_timeout = 10000",
];

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
        let db = Self::open(url, max_connections).await?;
        MIGRATOR.run(&db.read).await?;
        Ok(db)
    }

    /// Opens the database without touching its schema.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, ConnectError> {
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
        let read = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            // A ping before every use doubles the cost of a short read; a
            // broken connection fails its statement and is replaced anyway.
            .test_before_acquire(false)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in SQLITE_PRAGMAS {
                            conn.execute(*pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        let writes = match backend {
            Backend::Sqlite => Writes::Sqlite(writer::Writer::start(options).await?),
            Backend::Postgres => Writes::Postgres(read.clone()),
        };
        Ok(Db {
            read,
            writes,
            backend,
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

    /// Closes the pool (waiting for connections in use).
    pub async fn close(&self) {
        self.read.close().await;
    }

    /// Deletes expired codes, tokens and sessions, and grants nothing refers
    /// to any more, a thousand rows a statement so that requests' writes
    /// never wait long behind it. Returns how many rows went.
    pub async fn delete_expired(&self, now: i64, grace: i64) -> StoreResult<u64> {
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
                "delete from oauth_grant where grant_id in
                (select g.grant_id from oauth_grant g where g.created_at < $1
                   and not exists (select 1 from authorization_code c where c.grant_id = g.grant_id)
                   and not exists (select 1 from access_token t where t.grant_id = g.grant_id)
                   and not exists (select 1 from refresh_token r where r.grant_id = g.grant_id)
                 limit $2)",
                now - grace,
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
