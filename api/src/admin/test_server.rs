//! `test-server`: a throw-away OAuth client for trying the whole flow by hand.

use super::{AdminError, AdminResult, Outcome, TestServer};
use crate::store::Db;

pub async fn run(_db: &Db, _args: TestServer) -> AdminResult<Outcome> {
    Err(AdminError::Invalid(
        "test-server is not implemented yet".into(),
    ))
}
