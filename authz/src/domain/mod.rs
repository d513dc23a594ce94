//! The protocol's rules as plain functions: they take the stored rows, the
//! parsed request and `now`, and return a decision or a rejection whose RFC
//! error code and words are defined here once. No I/O: this module imports
//! neither sqlx nor axum, and every rule has a unit test that moves time.

pub mod accounts;
pub mod authorize;
pub mod cimd;
pub mod client;
pub mod code;
pub mod limits;
pub mod oidc;
pub mod pkce;
pub mod redirect;
pub mod refresh;
pub mod registration;
pub mod resource;
pub mod scope;
pub mod session;
pub mod token;
pub mod wording;

use shared::ErrorCode;

/// A rule's refusal: the RFC error code it answers with, and (through
/// `Display`) its description.
pub trait Rejection: std::fmt::Display {
    fn code(&self) -> ErrorCode;
}
