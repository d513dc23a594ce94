//! What a self-hosting operator needs beyond registration: users, and the
//! life of an app (list, show, disable/enable, rotate its secret, delete).

use super::input::{ask, confirm, password};
use super::{AdminError, AdminResult, Outcome};
use crate::crypto::{self, random_token, CLIENT_SECRET_PREFIX};
use crate::domain::accounts::{check_new_password, normalize_email};
use crate::domain::client::Client;
use crate::store::apps::{self, grant_types_text, AppUsage};
use crate::store::{users, Db};
use serde_json::json;
use shared::ClientId;

fn no_such_app(client_id: &str) -> AdminError {
    AdminError::Invalid(format!("no application has client_id {client_id:?}"))
}

/// The client id as typed; one no app can have is simply not found.
fn client_id(s: &str) -> AdminResult<ClientId> {
    ClientId::parse(s).ok_or_else(|| no_such_app(s))
}

/// An app with its redirect URIs.
async fn find_app(db: &Db, id: &str) -> AdminResult<(Client, Vec<String>)> {
    let app = apps::find_client(db, &client_id(id)?)
        .await?
        .ok_or_else(|| no_such_app(id))?;
    let uris = apps::redirect_uris(db, &app.oauth_app_id).await?;
    Ok((app, uris))
}

pub async fn create_user(
    db: &Db,
    email: Option<String>,
    name: Option<String>,
    as_json: bool,
    now: i64,
) -> AdminResult<Outcome> {
    let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| {
        n.chars().count() > 100 || n.chars().any(crate::domain::registration::is_hidden)
    }) {
        return Err(AdminError::Invalid(
            "--name must be at most 100 characters, without control characters".into(),
        ));
    }
    let email = match email {
        Some(e) => normalize_email(&e).map_err(|e| AdminError::Invalid(e.to_string()))?,
        None => ask("Email", |e| normalize_email(e).map_err(|e| e.to_string()))?,
    };
    let pw = password("Password")?;
    check_new_password(&pw).map_err(|e| AdminError::Invalid(e.to_string()))?;
    let hashed = crypto::hash_secret_blocking(pw).await;
    let user_id = users::create_user(db, &email, &hashed, name.as_deref(), now).await?;
    if as_json {
        println!("{}", json!({ "user_id": user_id, "email": email }));
    } else {
        println!("user_id: {user_id}");
        println!("email:   {email}");
    }
    Ok(Outcome::Success)
}

fn status(app: &Client) -> String {
    match app.disabled_at {
        None => "active".into(),
        Some(at) => format!("disabled since {}", when(at)),
    }
}

fn kind(app: &Client) -> &'static str {
    if app.is_public() {
        "public"
    } else {
        "confidential"
    }
}

/// A Unix time as UTC, e.g. `2026-11-26 10:00:00 UTC`.
pub(super) fn when(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => unix.to_string(),
    }
}

fn app_json(app: &Client, redirect_uris: &[String]) -> serde_json::Value {
    json!({
        "client_id": app.client_id,
        "name": app.name,
        "description": app.description,
        "public": app.is_public(),
        "active": app.is_active(),
        "disabled_at": app.disabled_at,
        "redirect_uris": redirect_uris,
        "scopes": app.allowed_scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "grant_types": app.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "owner_id": app.owner_id,
        "registration": app.registration.as_str(),
        "created_at": app.created_at,
        "updated_at": app.updated_at,
    })
}

pub async fn list_apps(db: &Db, as_json: bool) -> AdminResult<Outcome> {
    let all = apps::list_clients(db).await?;
    if as_json {
        let mut list = Vec::with_capacity(all.len());
        for app in &all {
            list.push(app_json(
                app,
                &apps::redirect_uris(db, &app.oauth_app_id).await?,
            ));
        }
        println!("{}", serde_json::Value::from(list));
        return Ok(Outcome::Success);
    }
    if all.is_empty() {
        println!("No applications yet (register one with `oauth-admin generate-app`).");
        return Ok(Outcome::Success);
    }
    println!(
        "{:<55}  {:<8}  {:<12}  {:<17}  NAME",
        "CLIENT_ID", "STATUS", "TYPE", "REGISTERED BY"
    );
    for app in &all {
        let status = if app.is_active() {
            "active"
        } else {
            "disabled"
        };
        println!(
            "{:<55}  {:<8}  {:<12}  {:<17}  {}",
            app.client_id,
            status,
            kind(app),
            app.registration.as_str(),
            app.name
        );
    }
    Ok(Outcome::Success)
}

fn usage_line(u: &AppUsage) -> String {
    format!(
        "{} grant(s), {} authorization code(s), {} access token(s), {} refresh token(s)",
        u.grants, u.authorization_codes, u.access_tokens, u.refresh_tokens
    )
}

pub async fn show_app(db: &Db, client_id: &str, as_json: bool) -> AdminResult<Outcome> {
    let (app, redirect_uris) = find_app(db, client_id).await?;
    let usage = apps::app_usage(db, &app.oauth_app_id).await?;
    if as_json {
        let mut v = app_json(&app, &redirect_uris);
        v["usage"] = json!({
            "grants": usage.grants,
            "authorization_codes": usage.authorization_codes,
            "access_tokens": usage.access_tokens,
            "refresh_tokens": usage.refresh_tokens,
        });
        println!("{v}");
        return Ok(Outcome::Success);
    }
    println!("name:          {}", app.name);
    println!("description:   {}", app.description);
    println!("client_id:     {}", app.client_id);
    println!("type:          {}", kind(&app));
    println!("registered by: {}", app.registration.as_str());
    println!("status:        {}", status(&app));
    println!("redirect_uris: {}", redirect_uris.join(" "));
    println!("scopes:        {}", app.allowed_scopes.to_space_separated());
    println!("grant_types:   {}", grant_types_text(&app.grant_types));
    println!(
        "owner_id:      {}",
        app.owner_id.as_deref().unwrap_or("(none: the operator)")
    );
    println!("created:       {}", when(app.created_at));
    println!("updated:       {}", when(app.updated_at));
    println!("rows:          {}", usage_line(&usage));
    Ok(Outcome::Success)
}

pub async fn set_disabled(
    db: &Db,
    client_id: &str,
    disable: bool,
    now: i64,
) -> AdminResult<Outcome> {
    let at = disable.then_some(now);
    if !apps::set_disabled(db, &self::client_id(client_id)?, at, now).await? {
        return Err(no_such_app(client_id));
    }
    if disable {
        tracing::warn!(
            event = "app_disabled",
            client_id,
            "application disabled: its tokens stop working"
        );
        println!(
            "Disabled {client_id}: it cannot authorize or get tokens, and its tokens are inactive."
        );
    } else {
        println!("Enabled {client_id}.");
    }
    Ok(Outcome::Success)
}

pub async fn rotate_secret(
    db: &Db,
    client_id: &str,
    as_json: bool,
    now: i64,
) -> AdminResult<Outcome> {
    let (app, _) = find_app(db, client_id).await?;
    if app.is_public() {
        return Err(AdminError::Invalid(format!(
            "{client_id} is a public client: it has no secret to rotate"
        )));
    }
    let secret = random_token(CLIENT_SECRET_PREFIX);
    let hashed = crypto::hash_secret_blocking(secret.clone()).await;
    if !apps::set_secret(db, &app.client_id, &hashed, now).await? {
        return Err(no_such_app(client_id));
    }
    tracing::warn!(
        event = "client_secret_rotated",
        client_id,
        "the old client secret no longer works"
    );
    if as_json {
        println!(
            "{}",
            json!({ "client_id": client_id, "client_secret": secret })
        );
    } else {
        println!("client_id:     {client_id}");
        println!("client_secret: {secret}");
    }
    eprintln!("The old secret no longer works. Store the new one now: it is shown only once.");
    Ok(Outcome::Success)
}

pub async fn delete_app(db: &Db, client_id: &str, yes: bool) -> AdminResult<Outcome> {
    let (app, _) = find_app(db, client_id).await?;
    if !yes {
        let usage = apps::app_usage(db, &app.oauth_app_id).await?;
        let question = format!(
            "Delete {:?} ({client_id}) with {}?",
            app.name,
            usage_line(&usage)
        );
        if !confirm(&question)? {
            eprintln!("Nothing deleted.");
            return Ok(Outcome::Negative);
        }
    }
    let usage = apps::delete_client(db, &app.client_id)
        .await?
        .ok_or_else(|| no_such_app(client_id))?;
    tracing::warn!(
        event = "app_deleted",
        client_id,
        "application deleted with its grants, codes and tokens"
    );
    println!("Deleted {client_id} and {}.", usage_line(&usage));
    Ok(Outcome::Success)
}

/// `rotate-signing-key`: new keys for ID Tokens, used by every instance
/// once published long enough (see `domain::oidc::PUBLISH_AHEAD`).
pub async fn rotate_signing_key(
    db: &Db,
    alg: &str,
    encryption_key: Option<&str>,
    now: i64,
) -> AdminResult<Outcome> {
    use crate::domain::oidc::{SigningAlg, PUBLISH_AHEAD};
    use crate::keys::{Keys, Sealer};
    let sealer = Sealer::new(encryption_key).map_err(|e| AdminError::Invalid(e.to_string()))?;
    let keys = Keys::new(sealer);
    let algs: Vec<SigningAlg> = match SigningAlg::parse(alg) {
        Some(a) => vec![a],
        None => SigningAlg::ALL.to_vec(),
    };
    for alg in algs {
        let kid = keys
            .rotate(db, alg, now)
            .await
            .map_err(|e| AdminError::Invalid(e.to_string()))?;
        tracing::warn!(
            event = "signing_key_rotated",
            alg = alg.as_str(),
            kid,
            "a new ID Token signing key"
        );
        println!(
            "{}: new key {kid}, published now, signing from {}",
            alg.as_str(),
            when(now + PUBLISH_AHEAD)
        );
    }
    if encryption_key.is_none() {
        eprintln!(
            "Note: the key is stored unencrypted (set SIGNING_KEY_ENCRYPTION_KEY to encrypt it)."
        );
    }
    Ok(Outcome::Success)
}
