//! `generate-app`: checks what a safe app needs, makes its credentials, and
//! prints the SQL that registers it, or registers it itself (`--apply`).

use super::input::{ask, read_line};
use super::{AdminError, AdminResult, GenerateApp, Outcome};
use crate::crypto::{self, random_id, random_token, CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX};
use crate::domain::registration::{check_redirect_uri, is_hidden};
use crate::store::apps::{self, grant_types_text, NewClient};
use crate::store::{users, Backend, Db};
use shared::{ClientId, RedirectUri, Scope, ScopeSet};

/// What the SQL says when no owner was given. The foreign key to `app_user`
/// makes an insert that still carries it fail, rather than create an orphan.
pub const OWNER_PLACEHOLDER: &str = "YOUR_USER_ID_HERE";

const MAX_NAME_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 1000;

/// One scope by its number in the catalogue (1-9) or its name (any case).
pub fn parse_scope(s: &str) -> Result<Scope, String> {
    let s = s.trim();
    if let Ok(n) = s.parse::<usize>() {
        return n
            .checked_sub(1)
            .and_then(|i| Scope::PLATFORM.get(i).copied())
            .ok_or_else(|| {
                format!(
                    "there is no scope number {n} (use 1-{})",
                    Scope::PLATFORM.len()
                )
            });
    }
    s.to_ascii_uppercase().parse().map_err(|_| {
        let names: Vec<&str> = Scope::PLATFORM.iter().map(|s| s.as_str()).collect();
        if s.is_empty() {
            "a scope is empty (check for a stray comma)".to_owned()
        } else {
            format!(
                "unknown scope {s:?}; use a number 1-{} or one of {}",
                Scope::PLATFORM.len(),
                names.join(", ")
            )
        }
    })
}

/// A list of scopes, separated by commas and/or spaces; at least one.
fn parse_scope_list(s: &str) -> Result<ScopeSet, String> {
    let scopes = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(parse_scope)
        .collect::<Result<Vec<Scope>, String>>()?;
    if scopes.is_empty() {
        return Err("choose at least one scope".into());
    }
    Ok(catalogue_ordered(scopes))
}

/// An operator's list is kept in catalogue order, whatever order it was
/// typed in (a client's request keeps its own order).
fn catalogue_ordered(scopes: impl IntoIterator<Item = Scope>) -> ScopeSet {
    let mut scopes: Vec<Scope> = scopes.into_iter().collect();
    scopes.sort();
    ScopeSet::new(scopes)
}

/// One redirect URI that is safe to register (see `check_redirect_uri`).
pub fn parse_redirect_uri(s: &str) -> Result<RedirectUri, String> {
    let s = s.trim();
    check_redirect_uri(s).map_err(|r| r.to_string())
}

/// Comma-separated redirect URIs; at least one, duplicates dropped.
fn parse_redirect_uri_list(s: &str) -> Result<Vec<RedirectUri>, String> {
    let uris = s
        .split(',')
        .filter(|t| !t.trim().is_empty())
        .map(parse_redirect_uri)
        .collect::<Result<Vec<_>, _>>()?;
    if uris.is_empty() {
        return Err("enter at least one redirect URI".into());
    }
    Ok(dedup(uris))
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut seen = Vec::with_capacity(items.len());
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

fn check_text(what: &str, s: &str, required: bool, max: usize) -> Result<String, String> {
    let s = s.trim();
    if required && s.is_empty() {
        return Err(format!("the {what} is required"));
    }
    if s.chars().count() > max {
        return Err(format!("the {what} is longer than {max} characters"));
    }
    if s.chars().any(is_hidden) {
        return Err(format!(
            "the {what} must not contain control characters or invisible formatting ones (newlines, tabs, bidirectional overrides…)"
        ));
    }
    Ok(s.to_owned())
}

fn check_name(s: &str) -> Result<String, String> {
    check_text("application name", s, true, MAX_NAME_CHARS)
}

fn check_description(s: &str) -> Result<String, String> {
    check_text("description", s, false, MAX_DESCRIPTION_CHARS)
}

/// What the operator asked for, validated.
#[derive(Debug, Clone)]
struct AppSpec {
    name: String,
    description: String,
    redirect_uris: Vec<RedirectUri>,
    scopes: ScopeSet,
}

/// Takes the flags given and asks for the rest. When name, redirect URIs and
/// scopes are all flags, nothing is asked (a missing description is empty);
/// otherwise every missing field is prompted for, as the seed's tool does.
fn collect_spec(args: &GenerateApp) -> AdminResult<AppSpec> {
    let invalid = AdminError::Invalid;
    let interactive = args.name.is_none() || args.redirect_uris.is_none() || args.scopes.is_none();
    let name = match &args.name {
        Some(n) => check_name(n).map_err(invalid)?,
        None => ask("Application name", check_name)?,
    };
    let description = match &args.description {
        Some(d) => check_description(d).map_err(invalid)?,
        None if interactive => check_description(&read_line("Description")?).map_err(invalid)?,
        None => String::new(),
    };
    let redirect_uris = match &args.redirect_uris {
        Some(uris) => dedup(uris.clone()),
        None => ask(
            "Redirect URIs (comma-separated, e.g. http://localhost:8080/callback)",
            parse_redirect_uri_list,
        )?,
    };
    let scopes = match &args.scopes {
        Some(scopes) => catalogue_ordered(scopes.iter().copied()),
        None => {
            eprintln!("Available scopes:");
            for (i, scope) in Scope::PLATFORM.iter().enumerate() {
                eprintln!(
                    "  {}. {:<20} {}",
                    i + 1,
                    scope.as_str(),
                    scope.description()
                );
            }
            ask(
                "Scopes (comma-separated numbers or names, e.g. 1,2)",
                parse_scope_list,
            )?
        }
    };
    Ok(AppSpec {
        name,
        description,
        redirect_uris,
        scopes,
    })
}

/// A SQL string literal: single quotes doubled. With PostgreSQL's
/// `standard_conforming_strings` on (set by the script), nothing else is special.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn quote_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "null".to_owned(), quote)
}

/// The SQL script that inserts `app` into `oauth_app` and its redirect URIs
/// into `oauth_app_redirect_uri`, for `backend`, in one transaction. No value
/// the operator typed goes into a comment; every one is a quoted literal.
pub fn render_insert_sql(backend: Backend, app: &NewClient, now: i64) -> String {
    let mut sql = String::new();
    match backend {
        Backend::Sqlite => {
            sql.push_str("-- For SQLite (sqlite3 leaves foreign keys off unless asked).\n");
            sql.push_str("pragma foreign_keys = on;\n");
        }
        Backend::Postgres => {
            sql.push_str("-- For PostgreSQL.\n");
            sql.push_str("set client_encoding = 'UTF8';\n");
            sql.push_str("set standard_conforming_strings = on;\n");
        }
    }
    if app.owner_id.is_none() {
        sql.push_str(&format!(
            "-- Replace {OWNER_PLACEHOLDER} with the owner's user_id (`select user_id from app_user where email = '…'`),\n\
             -- or with null for an app owned by the operator. Left as it is, the foreign key to\n\
             -- app_user makes this insert fail.\n"
        ));
    }
    let owner = match &app.owner_id {
        Some(id) => quote(id),
        None => quote(OWNER_PLACEHOLDER),
    };
    let values = [
        quote(&app.oauth_app_id),
        quote(app.client_id.as_str()),
        quote_opt(app.secret.as_ref().map(|s| s.hash.as_str())),
        quote_opt(app.secret.as_ref().map(|s| s.salt.as_str())),
        quote(&app.name),
        quote(&app.description),
        quote_opt(app.logo_url.as_deref()),
        quote(&app.allowed_scopes.to_space_separated()),
        quote(&grant_types_text(&app.grant_types)),
        owner,
        "null".to_owned(),
        now.to_string(),
        now.to_string(),
    ];
    sql.push_str("begin;\n");
    sql.push_str(
        "insert into oauth_app (oauth_app_id, client_id, client_secret_hash, client_secret_salt, name,\n    \
         description, logo_url, allowed_scopes, grant_types, owner_id, disabled_at,\n    \
         created_at, updated_at)\nvalues (\n    ",
    );
    sql.push_str(&values.join(",\n    "));
    sql.push_str("\n);\n");
    for uri in &app.redirect_uris {
        sql.push_str(&format!(
            "insert into oauth_app_redirect_uri (oauth_app_id, redirect_uri, match_key) values ({}, {}, {});\n",
            quote(&app.oauth_app_id),
            quote(uri.as_str()),
            quote(&uri.match_key())
        ));
    }
    for uri in &app.post_logout_redirect_uris {
        sql.push_str(&format!(
            "insert into oauth_app_post_logout_uri (oauth_app_id, uri) values ({}, {});\n",
            quote(&app.oauth_app_id),
            quote(uri.as_str()),
        ));
    }
    sql.push_str("commit;\n");
    sql
}

/// A fresh client id (`agpt_client_` + 256 random bits).
pub fn new_client_id() -> ClientId {
    #[allow(clippy::expect_used)] // a prefix and base64url: always a valid client id
    ClientId::parse(&random_token(CLIENT_ID_PREFIX)).expect("a generated client id is valid")
}

/// Runs `generate-app`.
pub async fn generate_app(url: &str, args: GenerateApp, now: i64) -> AdminResult<Outcome> {
    let backend = Backend::from_url(url).ok_or_else(|| {
        AdminError::Invalid(format!(
            "unsupported DATABASE_URL (expected sqlite:… or postgres://…): {url}"
        ))
    })?;
    let spec = collect_spec(&args)?;
    let client_id = new_client_id();
    let secret = (!args.public).then(|| random_token(CLIENT_SECRET_PREFIX));
    let hashed = match &secret {
        Some(s) => Some(crypto::hash_secret_blocking(s.clone()).await),
        None => None,
    };
    let mut app = NewClient::operator(
        random_id(),
        client_id,
        hashed,
        spec.name,
        spec.description,
        spec.redirect_uris,
        spec.scopes,
        args.owner_id.clone(),
    );
    app.post_logout_redirect_uris =
        dedup(args.post_logout_redirect_uris.clone().unwrap_or_default());

    let sql = if args.apply {
        let db = Db::connect(url, 2).await?;
        if let Some(owner) = &app.owner_id {
            if users::find_user_by_id(&db, owner).await?.is_none() {
                return Err(AdminError::Invalid(format!(
                    "--owner-id {owner:?} names no user in this database (create one with `oauth-admin create-user`)"
                )));
            }
        }
        apps::insert_client(&db, &app, now).await?;
        None
    } else {
        Some(render_insert_sql(backend, &app, now))
    };

    let scope_names: Vec<&str> = app.allowed_scopes.iter().map(Scope::as_str).collect();
    let redirect_uris: Vec<&str> = app.redirect_uris.iter().map(RedirectUri::as_str).collect();
    if args.json {
        let out = serde_json::json!({
            "client_id": app.client_id,
            "client_secret": secret,
            "name": app.name,
            "redirect_uris": redirect_uris,
            "scopes": scope_names,
            "post_logout_redirect_uris": app.post_logout_redirect_uris.iter().map(RedirectUri::as_str).collect::<Vec<_>>(),
            "applied": args.apply,
            "sql": sql,
        });
        println!("{out}");
    } else {
        // In SQL mode as comments, so the whole output can be saved and run as
        // a script (names and URIs have no line breaks: validated above).
        let c = if sql.is_some() { "-- " } else { "" };
        if args.apply {
            println!("OAuth application registered");
        } else {
            println!("-- OAuth application generated: run this SQL to register it");
        }
        println!("{c}  name:          {}", app.name);
        println!("{c}  client_id:     {}", app.client_id);
        match &secret {
            Some(s) => println!("{c}  client_secret: {s}"),
            None => println!("{c}  client_secret: (none: a public client, PKCE only)"),
        }
        println!("{c}  redirect_uris: {}", redirect_uris.join(" "));
        println!("{c}  scopes:        {}", scope_names.join(" "));
        if let Some(sql) = &sql {
            println!("\n{sql}");
        }
    }
    if secret.is_some() {
        eprintln!(
            "Store the client secret now: it is shown only once (the database keeps only its scrypt hash)."
        );
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_by_number_or_name() {
        assert_eq!(parse_scope("1"), Ok(Scope::ExecuteGraph));
        assert_eq!(parse_scope(" 9 "), Ok(Scope::DeleteIntegrations));
        assert_eq!(parse_scope("read_graph"), Ok(Scope::ReadGraph));
        for (bad, why) in [
            ("0", "no scope number"),
            ("26", "no scope number"),
            ("ADMIN", "unknown scope"),
            ("", "empty"),
        ] {
            assert!(parse_scope(bad).unwrap_err().contains(why), "{bad}");
        }
        assert_eq!(
            parse_scope_list("2, 1 READ_GRAPH").map(|s| s.to_space_separated()),
            Ok("EXECUTE_GRAPH READ_GRAPH".to_owned())
        );
        assert!(parse_scope_list(" , ").is_err());
    }

    #[test]
    fn names_must_be_present_and_printable() {
        assert_eq!(check_name("  My App "), Ok("My App".to_owned()));
        assert!(check_name("   ").is_err());
        assert!(check_name("two\nlines").is_err());
        assert!(check_name(&"x".repeat(101)).is_err());
        assert_eq!(check_description(""), Ok(String::new()));
    }

    #[test]
    fn sql_quotes_every_value_and_marks_the_owner_placeholder() {
        let app = NewClient::operator(
            "id1".into(),
            ClientId::parse("agpt_client_x").unwrap(),
            None,
            "Bob's app".into(),
            "it's \\ here".into(),
            vec![RedirectUri::parse("https://a.example/cb?x='1'").unwrap()],
            ScopeSet::new([Scope::ExecuteGraph, Scope::ReadGraph]),
            None,
        );
        let sql = render_insert_sql(Backend::Postgres, &app, 42);
        assert!(sql.contains("'Bob''s app'"), "{sql}");
        assert!(
            sql.contains(
                "values ('id1', 'https://a.example/cb?x=''1''', 'https://a.example/cb?x=''1''');"
            ),
            "{sql}"
        );
        assert!(sql.contains("'EXECUTE_GRAPH READ_GRAPH'"));
        assert!(sql.contains("'authorization_code refresh_token'"));
        assert!(sql.contains("'YOUR_USER_ID_HERE'"));
        assert!(sql.contains("standard_conforming_strings = on"));
        let sqlite = render_insert_sql(Backend::Sqlite, &app, 42);
        assert!(sqlite.starts_with("-- For SQLite"));
        assert!(sqlite.contains("pragma foreign_keys = on;"));
    }
}
