//! Everything both sides of the wire agree on: the scope catalogue, validated
//! protocol newtypes, secrets as types, the parsers that turn raw requests
//! into them, every request/response body and the one error shape.
//!
//! Pure and I/O-free so it compiles for the server and for `wasm32-unknown-unknown`;
//! the server and the consent screen validate with the very same functions.

pub mod api;
pub mod authorize;
pub mod consent;
pub mod error;
pub mod form;
pub mod protocol;
pub mod scope;
pub mod secret;
pub mod token;

pub use api::*;
pub use authorize::{
    choose_scopes, sign_in_is_fresh, AuthorizationRequest, AuthorizeParams, AuthorizeProblem,
    AuthorizeRequest, ClientPolicy, ClientTarget, Prompt, ScopeChoiceProblem, MAX_NONCE_LEN,
};
pub use consent::{may_skip_screen, Approval, MustAsk};
pub use error::{ErrorBody, ErrorCode};
pub use form::FormError;
pub use protocol::*;
pub use scope::{Scope, ScopeSet, UnknownScopes};
pub use secret::{
    AccessToken, AuthorizationCode, ClientSecret, Password, PkceVerifier, PresentedToken,
    RefreshToken, SessionId,
};
pub use token::{TokenGrant, TokenRequest, TokenRequestProblem, TokenResponse, TokenType};
