//! The only place that speaks SQL. One pool of sqlx's `Any` driver serves
//! both backends: SQLite (embedded default) and PostgreSQL (scale-out); the
//! schema and every statement here are portable between them.
//!
//! The store persists and claims; it never decides a protocol question and
//! never speaks HTTP. It returns domain rows and its own [`StoreError`].

pub mod apps;
pub mod grants;
pub mod sessions;
pub mod users;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;

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

/// A connection pool and the backend behind it.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

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
        MIGRATOR.run(&db.pool).await?;
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
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers proceed while one writer commits;
                        // NORMAL sync is durable across application crashes in WAL mode.
                        conn.execute("pragma journal_mode = wal").await?;
                        conn.execute("pragma synchronous = normal").await?;
                        conn.execute("pragma foreign_keys = on").await?;
                        conn.execute("pragma busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db { pool, backend })
    }

    /// Deletes expired codes, tokens and sessions, and grants nothing refers
    /// to any more. Returns how many rows went.
    pub async fn delete_expired(&self, now: i64, grace: i64) -> StoreResult<u64> {
        let mut deleted = 0;
        for sql in [
            "delete from authorization_code where expires_at < $1",
            "delete from access_token where expires_at < $1",
            "delete from refresh_token where expires_at < $1",
            "delete from user_session where expires_at < $1",
        ] {
            deleted += sqlx::query(sql)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        deleted += sqlx::query(
            "delete from oauth_grant where created_at < $1
               and not exists (select 1 from authorization_code c where c.grant_id = oauth_grant.grant_id)
               and not exists (select 1 from access_token t where t.grant_id = oauth_grant.grant_id)
               and not exists (select 1 from refresh_token r where r.grant_id = oauth_grant.grant_id)",
        )
        .bind(now - grace)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(deleted)
    }
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
