//! One typed configuration: flags, each with an environment fallback, and
//! defaults that make `api` start with no arguments on an embedded SQLite file.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The default database: a SQLite file under `./data/`, created on start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/oauth.db?mode=rwc";

#[derive(Debug, Clone, Parser)]
#[command(name = "api", version, about = "OAuth 2.0 authorization server")]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8006")]
    pub bind: SocketAddr,

    /// `sqlite://…` (embedded) or `postgres://…` (several instances, one database).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// The public origin users and apps reach us at; also the issuer (RFC 8414)
    /// and the `iss` of authorization responses (RFC 9207). Defaults to
    /// `http://<bind>`.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Extra origins allowed to post consent decisions, comma-separated
    /// (e.g. `http://localhost:3000` behind `trunk serve`).
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Directory of the built consent screen (trunk's output).
    #[arg(long, env = "DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,

    /// Access token lifetime, seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL", default_value_t = 3600)]
    pub access_token_ttl: i64,

    /// Refresh token lifetime, seconds (30 days).
    #[arg(long, env = "REFRESH_TOKEN_TTL", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl: i64,

    /// Authorization code lifetime, seconds.
    #[arg(long, env = "AUTH_CODE_TTL", default_value_t = 600)]
    pub auth_code_ttl: i64,

    /// Sign-in session lifetime, seconds (7 days).
    #[arg(long, env = "SESSION_TTL", default_value_t = 7 * 24 * 3600)]
    pub session_ttl: i64,

    /// Whether anyone may create an account at /api/auth/signup.
    #[arg(long, env = "SIGNUP_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub signup_enabled: bool,

    /// Whether PKCE `plain` is accepted (S256 always is).
    #[arg(long, env = "PKCE_PLAIN_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub pkce_plain_enabled: bool,

    /// Failed sign-ins or client authentications allowed per key and window.
    #[arg(long, env = "MAX_AUTH_FAILURES", default_value_t = 5)]
    pub max_auth_failures: u32,

    /// The window for `max_auth_failures`, seconds.
    #[arg(long, env = "AUTH_FAILURE_WINDOW", default_value_t = 300)]
    pub auth_failure_window: i64,

    /// Seconds between sweeps that delete expired codes, tokens and sessions.
    #[arg(long, env = "CLEANUP_INTERVAL", default_value_t = 300)]
    pub cleanup_interval: u64,

    /// Database connections per instance.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 16)]
    pub database_max_connections: u32,

    /// Log filter, e.g. `info` or `api=debug,tower_http=debug`.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log_level: String,
}

impl Config {
    /// The configuration with every default, for tests and tools.
    pub fn defaults() -> Self {
        Config::parse_from(["api"])
    }

    /// The issuer: the public URL without a trailing slash.
    pub fn issuer(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    /// Cookies get `Secure` when we are served over https.
    pub fn secure_cookies(&self) -> bool {
        self.issuer().starts_with("https://")
    }
}
