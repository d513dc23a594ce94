//! The use cases: what the server does for each request, below HTTP. Each
//! service returns its own error enum, composed from the rules' rejection
//! enums and [`Failure`] (the database, the keys, the hasher, a limit), so
//! an outage is `Unavailable` by construction wherever it happens. The HTTP
//! edge maps each error once (`api::error`).

pub mod accounts;
pub mod authorize;
pub mod client_auth;
pub mod clients;
pub mod limits;
pub mod logout;
pub mod token;
pub mod tokens;
pub mod userinfo;

use crate::hasher::Busy;
use crate::keys::KeyError;
use crate::store::StoreError;

/// What any use case can meet besides its own refusals.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The database (an outage is `StoreError::Unavailable`).
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Too many secrets wait for scrypt: the same request may pass shortly.
    #[error("the hash queue is full")]
    Busy(#[from] Busy),
    /// A failure limit is reached: nothing was tried.
    #[error("too many attempts; retry in {retry_after} s")]
    Limited { retry_after: i64 },
    /// Our own bug (a stored row that cannot be, a value that cannot be
    /// made): logged, never shown.
    #[error("{0}")]
    Internal(String),
}

/// `?` on the store, the keys and the hasher inside a service returning `$e`.
macro_rules! fails_with {
    ($e:ty) => {
        impl From<$crate::store::StoreError> for $e {
            fn from(e: $crate::store::StoreError) -> Self {
                <$e>::from($crate::service::Failure::from(e))
            }
        }
        impl From<$crate::keys::KeyError> for $e {
            fn from(e: $crate::keys::KeyError) -> Self {
                <$e>::from($crate::service::Failure::from(e))
            }
        }
        impl From<$crate::hasher::Busy> for $e {
            fn from(e: $crate::hasher::Busy) -> Self {
                <$e>::from($crate::service::Failure::from(e))
            }
        }
    };
}
pub(crate) use fails_with;
