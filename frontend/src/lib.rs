//! The consent screen: a Leptos (client-side rendered) app served at
//! `/auth/*`. `logic` holds every decision as plain, host-tested functions;
//! the view layer (wasm32 only) renders what they decide.

pub mod logic;
