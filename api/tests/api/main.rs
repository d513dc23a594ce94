//! Integration tests: HTTP against the real router on a real port, on a fresh
//! database per test. SQLite by default; PostgreSQL with `TEST_BACKEND=postgres`
//! (see helpers.rs). The README's test command runs both.

mod doc_server;
mod helpers;

mod app_info;
mod authorize;
mod bad_input;
mod cimd;
mod concurrency;
mod consent;
mod edges;
mod hashing;
mod introspect;
mod limits;
mod logs;
mod mcp_clients;
mod metadata;
mod migration;
mod multi_instance;
mod oauth2_client;
mod oidc;
mod registration;
mod resources;
mod revoke;
mod session;
mod storage;
mod token;
