//! `oauth-admin`: the operator's command-line tool. It registers apps
//! (printing SQL or inserting them), hashes and checks secrets, manages users
//! and apps, runs a throw-away test client (`test-server`), and checks a
//! deployment as MCP clients will (`doctor`). It uses the server's own
//! storage module and configuration (`DATABASE_URL`), so what it writes is
//! exactly what the server reads.
//!
//! Exit codes: 0 success; 1 an invalid result (`validate-secret`), a problem
//! found (`doctor`) or an operational error (database, not found, bad
//! interactive input); 2 a usage error (clap's own, including flag values
//! that fail validation).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod doctor;
mod generate;
mod input;
mod manage;
mod resources;
mod scopes;
mod secrets;
mod test_server;

use crate::clock::{Clock, SystemClock};
use crate::config::DEFAULT_DATABASE_URL;
use crate::store::{ConnectError, Db, StoreError};
use clap::{Args, Parser, Subcommand};
use shared::Scope;
use std::process::ExitCode;

pub use generate::{parse_redirect_uri, parse_scope, render_insert_sql};

// The server's own rules, storage and settings: what the CLI writes is
// exactly what the server reads.
pub(crate) use authz::{clock, config, crypto, domain, keys, store};

/// Manage the OAuth authorization server's applications and users.
#[derive(Debug, Parser)]
#[command(name = "oauth-admin", version)]
pub struct Cli {
    /// `sqlite://…` or `postgres://…`; the same database the server uses.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate credentials for a new OAuth application (prints SQL, or inserts it with --apply).
    ///
    /// Flags left out are asked for interactively (on stdin).
    GenerateApp(GenerateApp),
    /// Hash a plaintext secret with scrypt, in the format the server stores.
    HashSecret {
        /// The plaintext secret.
        secret: String,
    },
    /// Check a plaintext secret against a stored hash and salt (exit 0 valid, 1 invalid).
    ValidateSecret {
        /// The plaintext secret.
        secret: String,
        /// The stored scrypt hash (hex).
        hash: String,
        /// The stored salt (hex).
        salt: String,
    },
    /// Run a test OAuth client against the server, with a temporary app (removed on Ctrl-C).
    TestServer(TestServer),
    /// Create a user (the password is read from a prompt or stdin, never a flag).
    CreateUser {
        /// The user's email address (asked for when left out).
        #[arg(long)]
        email: Option<String>,
        /// The name relying parties see (OpenID Connect `name`, with the `profile` scope).
        #[arg(long)]
        name: Option<String>,
        /// Print `{"user_id", "email"}`.
        #[arg(long)]
        json: bool,
    },
    /// List the scope catalogue (numbered as `generate-app --scopes` reads it).
    ListScopes {
        /// Print a JSON array of `{name, title, description, deprecated, replaced_by, implies}`.
        #[arg(long)]
        json: bool,
    },
    /// List every registered application.
    ListApps {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Show one application with its grants and tokens.
    ShowApp {
        client_id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable an application: it can no longer authorize, and its tokens stop working at once.
    DisableApp { client_id: String },
    /// Re-enable a disabled application.
    EnableApp { client_id: String },
    /// Replace an application's client secret (the new one is printed once).
    RotateSecret {
        client_id: String,
        /// Print `{"client_id", "client_secret"}`.
        #[arg(long)]
        json: bool,
    },
    /// Delete an application with all its grants, codes and tokens.
    DeleteApp {
        client_id: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Register a protected resource (a service tokens are for, such as an
    /// MCP server): it gets an id and secret for the introspection endpoint.
    RegisterResource {
        /// Its resource URI, exactly as clients send it in `resource` (RFC 8707).
        #[arg(long, value_parser = resources::parse_resource_uri)]
        uri: shared::ResourceUri,
        /// Its name, shown on the consent screen ("… wants access to <name>").
        #[arg(long)]
        name: String,
        /// The scopes it understands, comma-separated (default: all).
        #[arg(long, value_delimiter = ',', value_parser = parse_scope)]
        scopes: Option<Vec<Scope>>,
        /// Print `{"resource_id", "resource_secret", "uri", "name", …}`.
        #[arg(long)]
        json: bool,
    },
    /// Make a new ID Token signing key: published at once, signing five
    /// minutes later; the old key stays published until its tokens expire.
    RotateSigningKey {
        /// RS256 (the default every relying party accepts), ES256, or both.
        #[arg(long, default_value = "both", value_parser = ["RS256", "ES256", "both"])]
        alg: String,
        /// 32 bytes (base64 or hex) that encrypt stored keys; the server's setting.
        #[arg(long, env = "SIGNING_KEY_ENCRYPTION_KEY", hide_env_values = true)]
        signing_key_encryption_key: Option<crate::config::KeyText>,
    },
    /// List every registered resource.
    ListResources {
        #[arg(long)]
        json: bool,
    },
    /// Show one resource (by id or URI).
    ShowResource {
        resource: String,
        #[arg(long)]
        json: bool,
    },
    /// Disable a resource: clients can no longer ask for it, and it can no longer introspect.
    DisableResource { resource: String },
    /// Re-enable a disabled resource.
    EnableResource { resource: String },
    /// Delete a resource (tokens bound to it can then be introspected by no resource).
    DeleteResource { resource: String },
    /// Check the deployment as strict MCP clients will: our metadata and,
    /// with --resource-metadata, an MCP server's (exit 0 only if all pass).
    ///
    /// Prints one line per check: `ok <name>`, or `problem <name>: … — fix: …`.
    Doctor(Doctor),
}

#[derive(Debug, Args)]
pub struct GenerateApp {
    /// Application name, shown on the consent screen.
    #[arg(long)]
    pub name: Option<String>,
    /// Application description, shown on the consent screen.
    #[arg(long)]
    pub description: Option<String>,
    /// Redirect URIs, comma-separated: https, loopback http, or a private-use scheme (com.example.app:/cb).
    #[arg(long, value_delimiter = ',', value_parser = parse_redirect_uri)]
    pub redirect_uris: Option<Vec<shared::RedirectUri>>,
    /// Scopes, comma-separated, by number (1-9) or name (e.g. `1,2` or `EXECUTE_GRAPH,READ_GRAPH`).
    #[arg(long, value_delimiter = ',', value_parser = parse_scope)]
    pub scopes: Option<Vec<Scope>>,
    /// The owning user's id (default: a placeholder in the SQL; no owner with --apply).
    #[arg(long)]
    pub owner_id: Option<String>,
    /// Where RP-initiated logout may send people back to, comma-separated (same rules as redirect URIs).
    #[arg(long, value_delimiter = ',', value_parser = parse_redirect_uri)]
    pub post_logout_redirect_uris: Option<Vec<shared::RedirectUri>>,
    /// A public client (native or single-page app): no secret, PKCE only.
    #[arg(long)]
    pub public: bool,
    /// Insert the app into the configured database instead of printing SQL.
    #[arg(long)]
    pub apply: bool,
    /// Print a machine-readable result.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TestServer {
    /// The user who owns the temporary app (see `create-user`).
    #[arg(long)]
    pub owner_id: String,
    /// Port for the test client (0 picks a free one).
    #[arg(long, default_value_t = 9876)]
    pub port: u16,
    /// Where the consent screen is served (`<platform-url>/auth/authorize`).
    #[arg(long, default_value = "http://localhost:3000")]
    pub platform_url: String,
    /// Where the API is served (`<backend-url>/api/oauth/token`).
    #[arg(long, default_value = "http://localhost:8006")]
    pub backend_url: String,
    /// Act as an OpenID Connect relying party: ask for `openid profile email`
    /// with a nonce, verify the ID Token against the JWKS, show UserInfo.
    #[arg(long)]
    pub oidc: bool,
}

#[derive(Debug, Args)]
pub struct Doctor {
    /// The server's public URL, as the server is given it: our issuer is it
    /// without a trailing slash.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The server's listen address: without a public URL the issuer is
    /// `http://<bind>`, as for the server.
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8006")]
    pub bind: std::net::SocketAddr,
    /// Where this machine reaches the server, if not at its public URL
    /// (e.g. `http://10.0.0.5:8006`); the issuer is still the public URL's.
    #[arg(long, value_parser = doctor::parse_http_url)]
    pub server_url: Option<url::Url>,
    /// An MCP server's protected-resource metadata (RFC 9728) to check too,
    /// e.g. `https://mcp.agpt.co/.well-known/oauth-protected-resource/mcp`.
    #[arg(long, value_parser = doctor::parse_http_url)]
    pub resource_metadata: Option<url::Url>,
    /// Print `{"ok", "checks": [{"name", "ok", "problem", "fix"}]}`.
    #[arg(long)]
    pub json: bool,
}

/// Why a command failed; every variant exits with status 1.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Input that parsed but is not acceptable, or a thing that does not exist.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type AdminResult<T> = Result<T, AdminError>;

/// The outcome of a command that ran: success, or a negative answer (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Negative,
}

/// Runs a parsed command line to completion and says how to exit.
pub fn run(cli: Cli) -> ExitCode {
    // Security events (an app disabled, deleted, its secret rotated) go to
    // stderr as log lines with an `event` field, like the server's.
    {
        use std::io::IsTerminal;
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Negative) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> AdminResult<Outcome> {
    let url = cli.database_url;
    let now = SystemClock.now();
    match cli.command {
        Command::GenerateApp(args) => generate::generate_app(&url, args, now).await,
        Command::HashSecret { secret } => secrets::hash(&secret),
        Command::ValidateSecret { secret, hash, salt } => secrets::validate(&secret, &hash, &salt),
        Command::TestServer(args) => test_server::run(&connect(&url).await?, args).await,
        Command::CreateUser { email, name, json } => {
            manage::create_user(&connect(&url).await?, email, name, json, now).await
        }
        Command::ListScopes { json } => Ok(scopes::list_scopes(json)),
        Command::ListApps { json } => manage::list_apps(&connect(&url).await?, json).await,
        Command::ShowApp { client_id, json } => {
            manage::show_app(&connect(&url).await?, &client_id, json).await
        }
        Command::DisableApp { client_id } => {
            manage::set_disabled(&connect(&url).await?, &client_id, true, now).await
        }
        Command::EnableApp { client_id } => {
            manage::set_disabled(&connect(&url).await?, &client_id, false, now).await
        }
        Command::RotateSecret { client_id, json } => {
            manage::rotate_secret(&connect(&url).await?, &client_id, json, now).await
        }
        Command::DeleteApp { client_id, yes } => {
            manage::delete_app(&connect(&url).await?, &client_id, yes).await
        }
        Command::RegisterResource {
            uri,
            name,
            scopes,
            json,
        } => resources::register(&connect(&url).await?, uri, name, scopes, json, now).await,
        Command::ListResources { json } => resources::list(&connect(&url).await?, json).await,
        Command::RotateSigningKey {
            alg,
            signing_key_encryption_key,
        } => {
            manage::rotate_signing_key(
                &connect(&url).await?,
                &alg,
                signing_key_encryption_key.as_ref().map(|k| k.0.as_str()),
                now,
            )
            .await
        }
        Command::ShowResource { resource, json } => {
            resources::show(&connect(&url).await?, &resource, json).await
        }
        Command::DisableResource { resource } => {
            resources::set_disabled(&connect(&url).await?, &resource, true, now).await
        }
        Command::EnableResource { resource } => {
            resources::set_disabled(&connect(&url).await?, &resource, false, now).await
        }
        Command::DeleteResource { resource } => {
            resources::delete(&connect(&url).await?, &resource).await
        }
        // Connects on its own, read-only, and only when a resource is checked.
        Command::Doctor(args) => doctor::run(&url, args).await,
    }
}

/// Opens the configured database (running migrations, as the server does).
async fn connect(url: &str) -> AdminResult<Db> {
    Ok(Db::connect(url, 2).await?)
}
