//! The consent screen's decisions, as plain functions with host-run tests:
//! what the query says, which screen a response leads to, where a sign-in may
//! return to. Nothing here touches the DOM or the network.

pub mod api_error;
pub mod apps;
pub mod flow;
pub mod next;
pub mod problem;
pub mod query;
pub mod route;
pub mod text;
