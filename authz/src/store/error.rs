//! The store's own error type: what went wrong, in terms a use case can
//! decide by (a duplicate, an outage), never by a message's wording.

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
    /// The database cannot be reached now (down, unreachable, out of
    /// connections, locked by another process): the request may succeed later.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error("database error: {0}")]
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            StoreError::Unavailable(e)
        } else {
            StoreError::Db(e)
        }
    }
}

/// Errors that say the database is not there right now, rather than that a
/// statement is wrong: by kind and by code, never by message.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => matches!(
            d.code().as_deref(),
            // SQLite: SQLITE_BUSY and its extended codes (another process
            // held the lock past busy_timeout).
            Some("5" | "261" | "517" | "773")
            // PostgreSQL: shutting down, starting up, out of connections.
            | Some("57P01" | "57P02" | "57P03" | "53300" | "08000" | "08003" | "08006")
        ),
        _ => false,
    }
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
            // A connection lost mid-request is an outage (503), not a bug.
            _ => e.into(),
        })
    }
}
