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

    /// Whether anyone may create an account at /api/auth/signup.
    #[arg(long, env = "SIGNUP_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub signup_enabled: bool,

    /// Log filter, e.g. `info` or `api=debug,tower_http=debug`.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log_level: String,

    /// `text` (for people; colours only on a terminal) or `json` (one
    /// object per line, for log collectors).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub tokens: Tokens,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub registration: Registration,

    #[command(flatten)]
    pub cimd: MetadataDocuments,

    #[command(flatten)]
    pub transport: Transport,

    #[command(flatten)]
    pub database: Database,
}

/// Token and session lifetimes, what the consent screen may skip, and the signing keys.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Tokens")]
pub struct Tokens {
    /// Access token lifetime, seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL", default_value_t = 3600)]
    pub access_token_ttl: i64,

    /// Refresh token lifetime, seconds (30 days).
    #[arg(long, env = "REFRESH_TOKEN_TTL", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl: i64,

    /// Authorization code lifetime, seconds.
    #[arg(long, env = "AUTH_CODE_TTL", default_value_t = 600)]
    pub auth_code_ttl: i64,

    /// How long ID Tokens are valid (seconds).
    #[arg(long, env = "ID_TOKEN_TTL", default_value_t = 3600)]
    pub id_token_ttl: i64,

    /// Sign-in session lifetime, seconds (7 days).
    #[arg(long, env = "SESSION_TTL", default_value_t = 7 * 24 * 3600)]
    pub session_ttl: i64,

    /// Whether PKCE `plain` is accepted (S256 always is).
    #[arg(long, env = "PKCE_PLAIN_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub pkce_plain_enabled: bool,

    /// Whether a verified app the person already allowed everything a
    /// request asks for continues without the consent screen.
    #[arg(long, env = "REMEMBER_CONSENT", default_value_t = true, action = clap::ArgAction::Set)]
    pub remember_consent: bool,

    /// 32 bytes (base64 or hex) that encrypt the ID Token signing keys in
    /// the database (AES-256-GCM). Unset: they are stored unencrypted.
    #[arg(long, env = "SIGNING_KEY_ENCRYPTION_KEY", hide_env_values = true)]
    pub signing_key_encryption_key: Option<KeyText>,
}

/// Failure and sign-up limits (counted in the database: for the whole deployment), and the scrypt pool.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Limits")]
pub struct Limits {
    /// Failed sign-ins per account, or client authentications per client,
    /// allowed per window (counted in the database: for the whole deployment).
    #[arg(long, env = "MAX_AUTH_FAILURES", default_value_t = 5)]
    pub max_auth_failures: u32,

    /// The window for the failure limits, seconds.
    #[arg(long, env = "AUTH_FAILURE_WINDOW", default_value_t = 300)]
    pub auth_failure_window: i64,

    /// Failed sign-ins, and failed client authentications, allowed per
    /// source address and window (password spraying across accounts).
    #[arg(long, env = "MAX_SOURCE_FAILURES", default_value_t = 30)]
    pub max_source_failures: u32,

    /// Sign-ups allowed per source address and `signup_window`.
    #[arg(long, env = "MAX_SIGNUPS_PER_SOURCE", default_value_t = 10)]
    pub max_signups_per_source: u32,

    /// Sign-ups allowed on the whole deployment per `signup_window` (a
    /// botnet of many sources is still bounded).
    #[arg(long, env = "MAX_SIGNUPS_GLOBAL", default_value_t = 500)]
    pub max_signups_global: u32,

    /// The window for `max_signups_per_source`, seconds.
    #[arg(long, env = "SIGNUP_WINDOW", default_value_t = 3600)]
    pub signup_window: i64,

    /// Threads that run scrypt (passwords, client secrets); at most this many
    /// run at once, 16 MiB each. Default: the machine's cores.
    #[arg(long, env = "HASH_WORKERS")]
    pub hash_workers: Option<usize>,

    /// scrypt computations that may wait for a thread; beyond that a request
    /// gets 503 `temporarily_unavailable` with `Retry-After` at once.
    #[arg(long, env = "HASH_QUEUE", default_value_t = 64)]
    pub hash_queue: usize,
}

/// Dynamic client registration (RFC 7591).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Registration")]
pub struct Registration {
    /// Dynamic client registration (RFC 7591) at `POST /api/oauth/register`:
    /// `open` lets any client register itself (MCP clients rely on it), `off`
    /// leaves registration to operators.
    #[arg(long = "registration", env = "REGISTRATION", value_enum, default_value_t = RegistrationMode::Open)]
    pub mode: RegistrationMode,

    /// Self-registrations allowed from one source address per window.
    #[arg(long, env = "MAX_REGISTRATIONS_PER_SOURCE", default_value_t = 20)]
    pub max_registrations_per_source: u32,

    /// The window of `--max-registrations-per-source` (seconds).
    #[arg(long, env = "REGISTRATION_WINDOW", default_value_t = 3600)]
    pub registration_window: i64,

    /// At most this many self-registered and metadata-document clients exist at once.
    #[arg(long, env = "MAX_DYNAMIC_CLIENTS", default_value_t = 100_000)]
    pub max_dynamic_clients: i64,

    /// A self-registered client nobody has authorized within this many
    /// seconds is deleted (a client that comes back registers again).
    #[arg(long, env = "UNUSED_REGISTRATION_TTL", default_value_t = 24 * 3600)]
    pub unused_registration_ttl: i64,
}

/// Client ID Metadata Documents: fetching a client's registration from its https `client_id`.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Metadata documents")]
pub struct MetadataDocuments {
    /// Client ID Metadata Documents: an https `client_id` is fetched and
    /// used as the client's registration.
    #[arg(long, env = "CIMD_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub cimd_enabled: bool,

    /// If set, metadata documents are fetched only from these hosts
    /// (`*.example.com` covers subdomains).
    #[arg(long, env = "CIMD_ALLOWED_HOSTS", value_delimiter = ',')]
    pub cimd_allowed_hosts: Vec<String>,

    /// Metadata documents are never fetched from these hosts.
    #[arg(long, env = "CIMD_BLOCKED_HOSTS", value_delimiter = ',')]
    pub cimd_blocked_hosts: Vec<String>,

    /// Seconds a metadata document fetch may take, connection included.
    #[arg(long, env = "CIMD_TIMEOUT", default_value_t = 5)]
    pub cimd_timeout: u64,

    /// Off by default. A PEM file of extra CA certificates trusted for
    /// metadata documents (a private CA; the end-to-end tests' own CA).
    #[arg(long, env = "CIMD_EXTRA_ROOT_CA")]
    pub cimd_extra_root_ca: Option<PathBuf>,

    /// Off by default. Lets metadata documents be fetched from loopback
    /// addresses (127.0.0.0/8, ::1) — for a document server on this machine;
    /// every other private or special address stays refused.
    #[arg(long, env = "CIMD_ALLOW_LOOPBACK", default_value_t = false, action = clap::ArgAction::Set)]
    pub cimd_allow_loopback: bool,
}

/// Connections and requests: proxies, deadlines, HTTP versions.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Transport")]
pub struct Transport {
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or
    /// CIDR ranges, comma-separated). From any other peer the header is ignored.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Seconds a client has to send a request's headers (and the longest a
    /// kept-alive connection may sit idle); slow or silent ones are closed.
    #[arg(long, env = "HEADER_READ_TIMEOUT", default_value_t = 10)]
    pub header_read_timeout: u64,

    /// Open connections at most; further ones wait to be accepted.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,

    /// Seconds one request may take from its first byte to its answer,
    /// body included: a client that sends headers and then trickles (or
    /// never sends) its body is answered 408 and cut off.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,

    /// Serve HTTP/2 in the clear (h2c) too, for a proxy that speaks it. Off:
    /// an h2c connection has no idle deadline of its own.
    #[arg(long, env = "HTTP2", default_value_t = false, action = clap::ArgAction::Set)]
    pub http2: bool,
}

/// The database: which one, its pool, its deadline and its sweeps.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Database")]
pub struct Database {
    /// `sqlite://…` (embedded) or `postgres://…` (several instances, one database).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Seconds to wait for a database connection before answering 503.
    #[arg(long, env = "DATABASE_TIMEOUT", default_value_t = 2)]
    pub database_timeout: u64,

    /// Database connections per instance for reads (PostgreSQL: for
    /// everything). SQLite writes always use one connection of their own.
    /// Default: 4 on SQLite (more threads only add switching on few cores),
    /// 16 on PostgreSQL.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS")]
    pub database_max_connections: Option<u32>,

    /// Seconds between sweeps that delete expired codes, tokens and sessions.
    #[arg(long, env = "CLEANUP_INTERVAL", default_value_t = 300)]
    pub cleanup_interval: u64,
}

/// A key given on the command line or in the environment, kept out of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyText(pub String);

impl std::fmt::Debug for KeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyText([redacted])")
    }
}

impl std::str::FromStr for KeyText {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(KeyText(s.to_owned()))
    }
}

/// Whether clients may register themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegistrationMode {
    Open,
    Off,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// An address (`192.0.2.1`) or a range (`10.0.0.0/8`).
fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is neither an IP address nor a CIDR range"))
}

impl Config {
    /// Every setting at its documented default, written out so that nothing
    /// in the environment (a developer's `PUBLIC_URL`, say) changes a test:
    /// a free loopback port and the given database.
    pub fn for_tests(database_url: &str) -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            allowed_origins: Vec::new(),
            dist_dir: PathBuf::from("dist"),
            signup_enabled: true,
            log_level: "warn".into(),
            log_format: LogFormat::Text,
            tokens: Tokens {
                access_token_ttl: 3600,
                refresh_token_ttl: 30 * 24 * 3600,
                auth_code_ttl: 600,
                session_ttl: 7 * 24 * 3600,
                pkce_plain_enabled: true,
                remember_consent: true,
                id_token_ttl: 3600,
                signing_key_encryption_key: None,
            },
            limits: Limits {
                max_auth_failures: 5,
                auth_failure_window: 300,
                max_source_failures: 30,
                max_signups_per_source: 10,
                max_signups_global: 500,
                signup_window: 3600,
                hash_workers: None,
                hash_queue: 64,
            },
            registration: Registration {
                mode: RegistrationMode::Open,
                max_registrations_per_source: 20,
                registration_window: 3600,
                max_dynamic_clients: 100_000,
                unused_registration_ttl: 24 * 3600,
            },
            cimd: MetadataDocuments {
                cimd_enabled: true,
                cimd_allowed_hosts: Vec::new(),
                cimd_blocked_hosts: Vec::new(),
                cimd_timeout: 5,
                cimd_extra_root_ca: None,
                cimd_allow_loopback: false,
            },
            transport: Transport {
                trusted_proxies: Vec::new(),
                header_read_timeout: 10,
                max_connections: 10_000,
                request_timeout: 30,
                http2: false,
            },
            database: Database {
                database_url: database_url.to_owned(),
                database_timeout: 2,
                cleanup_interval: 300,
                database_max_connections: None,
            },
        }
    }

    /// Read connections: as configured, or the backend's default.
    pub fn pool_size(&self) -> u32 {
        let sqlite = self.database.database_url.starts_with("sqlite:");
        self.database
            .database_max_connections
            .unwrap_or(if sqlite { 4 } else { 16 })
    }

    /// The issuer: the public URL without a trailing slash, or else
    /// `http://` and the address actually bound (so port 0 names the real port).
    pub fn issuer(&self, bound: SocketAddr) -> String {
        issuer_for(self.public_url.as_deref(), bound)
    }
}

/// The issuer rule on its own, so that `oauth-admin doctor` expects exactly
/// what the server announces.
pub fn issuer_for(public_url: Option<&str>, bound: SocketAddr) -> String {
    match public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{bound}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_names_the_bound_port_unless_a_public_url_is_set() {
        let mut c = Config::for_tests("sqlite::memory:");
        let bound: SocketAddr = "127.0.0.1:43210".parse().unwrap();
        assert_eq!(c.issuer(bound), "http://127.0.0.1:43210");
        c.public_url = Some("https://auth.example/".into());
        assert_eq!(c.issuer(bound), "https://auth.example");
    }
}
