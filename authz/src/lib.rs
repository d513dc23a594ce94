//! Everything below the HTTP edge: the pure rules (`domain`), the store
//! (`store`, the only SQL), signing keys, secret hashing, the clock and the
//! server's settings. This crate does not depend on axum, hyper or tower,
//! so "no HTTP below the edge" is a compile error, not a convention.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod bounded;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod hasher;
pub mod keys;
pub mod secret_cache;
pub mod service;
pub mod state;
pub mod store;
