//! `oauth-admin` through the real binary: each test gets a fresh database
//! (and, for flows, an API running in this process on a free port).

mod doctor;
mod flows;
mod generate_app;
mod helpers;
mod manage;
mod oidc;
mod resources;
mod secrets;
mod test_server;
