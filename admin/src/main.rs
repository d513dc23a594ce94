//! `oauth-admin`: manage apps and users, test flows. All logic lives in the `admin` library.

use admin::Cli;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    admin::run(Cli::parse())
}
