//! Everything both sides of the wire agree on: the scope catalogue, validated
//! protocol newtypes, every request/response body and the one error shape.
//!
//! Pure and I/O-free so it compiles for the server and for `wasm32-unknown-unknown`;
//! the server and the consent screen validate with the very same functions.

pub mod api;
pub mod error;
pub mod protocol;
pub mod scope;

pub use api::*;
pub use error::{ErrorBody, ErrorCode};
pub use protocol::*;
pub use scope::{Scope, ScopeSet, UnknownScopes};
