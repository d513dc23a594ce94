//! `api`: the authorization server. Starts with no arguments (SQLite under ./data).

use api::config::{Config, LogFormat};
use api::Application;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    give_large_buffers_back();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(serve()),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> ExitCode {
    let config = Config::parse();
    init_logging(&config);
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match app.local_addr() {
        // Printed on stdout so scripts and tests can find a port-0 server.
        Ok(addr) => println!("listening on http://{addr}"),
        Err(e) => eprintln!("warning: cannot read the bound address: {e}"),
    }
    if let Err(e) = app.run_until(shutdown_signal()).await {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Logs go to stderr (stdout carries only the "listening on" line), as text
/// for people (colours only on a terminal) or as one JSON object per line.
fn init_logging(config: &Config) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().with_current_span(false).init(),
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

/// Makes glibc serve every allocation of 1 MiB or more with its own mapping,
/// returned to the system when freed. By default glibc raises that threshold
/// after the first such free, so from then on each thread that ran scrypt
/// keeps 16–32 MiB of freed working memory resident for good; with it fixed,
/// peak memory is what the bounded hasher runs at once (see `hasher.rs`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn give_large_buffers_back() {
    // SAFETY: mallopt only changes an allocator parameter; it is called once,
    // before any other thread exists, with a valid option and value.
    let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20) };
    if ok != 1 {
        eprintln!(
            "warning: could not set malloc's mmap threshold; memory may grow after hashing bursts"
        );
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_large_buffers_back() {}

/// Ctrl-C or SIGTERM: finish in-flight requests, then stop.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
