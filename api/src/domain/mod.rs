//! Protocol rules as plain functions: no I/O, time passed in, unit-tested here.

pub mod accounts;
pub mod pkce;
pub mod redirect;
pub mod registration;
