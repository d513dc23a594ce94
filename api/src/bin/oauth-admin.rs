//! `oauth-admin`: manage apps and users, test flows. All logic lives in `api::admin`.

use api::admin::Cli;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    api::admin::run(Cli::parse())
}
