//! Protected resources (RFC 8707 / RFC 9728): the services tokens are for,
//! such as AutoGPT's MCP server. Registering one gives it credentials for
//! the introspection endpoint and lets clients ask for tokens bound to it.

use super::manage::when;
use super::{AdminError, AdminResult, Outcome};
use crate::crypto::{self, random_token};
use crate::domain::resource::Resource;
use crate::store::{resources, Db};
use serde_json::json;
use shared::{ResourceUri, Scope, ScopeSet};

/// The secret's prefix (the id's is `Resource::ID_PREFIX`).
const SECRET_PREFIX: &str = "agpt_resource_secret_";

/// A resource URI as RFC 8707 §2 wants it: absolute, no fragment; and
/// https (or loopback http, for a resource on this machine), since tokens
/// are sent to it.
pub fn parse_resource_uri(s: &str) -> Result<ResourceUri, String> {
    let s = s.trim();
    let uri = ResourceUri::parse(s)
        .ok_or_else(|| format!("{s:?} is not an absolute URI without a fragment"))?;
    let url = url::Url::parse(s).map_err(|e| format!("{s:?} is not a URL ({e})"))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => Ok(uri),
        "http" if loopback => Ok(uri),
        _ => Err(format!(
            "{s:?}: a resource is served over https (plain http only on localhost)"
        )),
    }
}

fn no_such_resource(which: &str) -> AdminError {
    AdminError::Invalid(format!("no resource has the id or URI {which:?}"))
}

/// A resource by its id (`agpt_resource_…`) or its URI.
async fn find(db: &Db, which: &str) -> AdminResult<Resource> {
    let found = if which.starts_with(Resource::ID_PREFIX) {
        resources::find_by_id(db, which).await?
    } else {
        match ResourceUri::parse(which.trim()) {
            Some(uri) => resources::find_by_uris(db, &[uri])
                .await?
                .into_iter()
                .next(),
            None => None,
        }
    };
    found.ok_or_else(|| no_such_resource(which))
}

fn resource_json(r: &Resource) -> serde_json::Value {
    json!({
        "resource_id": r.protected_resource_id,
        "uri": r.uri,
        "name": r.name,
        "scopes": r.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "active": r.is_active(),
        "disabled_at": r.disabled_at,
        "created_at": r.created_at,
    })
}

pub async fn register(
    db: &Db,
    uri: ResourceUri,
    name: String,
    scopes: Option<Vec<Scope>>,
    as_json: bool,
    now: i64,
) -> AdminResult<Outcome> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AdminError::Invalid(
            "--name must be 1 to 100 characters".into(),
        ));
    }
    let id = random_token(Resource::ID_PREFIX);
    let secret = random_token(SECRET_PREFIX);
    let resource = Resource {
        protected_resource_id: id.clone(),
        uri,
        name,
        secret: crypto::hash_secret_blocking(secret.clone()).await,
        scopes: ScopeSet::new(scopes.unwrap_or_else(|| Scope::PLATFORM.to_vec())),
        disabled_at: None,
        created_at: now,
    };
    resources::insert(db, &resource).await?;
    if as_json {
        let mut v = resource_json(&resource);
        v["resource_secret"] = json!(secret);
        println!("{v}");
    } else {
        println!("resource_id:     {id}");
        println!("resource_secret: {secret}");
        println!("uri:             {}", resource.uri);
        println!("name:            {}", resource.name);
    }
    eprintln!(
        "The resource server authenticates at the introspection endpoint with this id and secret (HTTP Basic). Store the secret now: it is shown only once."
    );
    Ok(Outcome::Success)
}

pub async fn list(db: &Db, as_json: bool) -> AdminResult<Outcome> {
    let all = resources::list(db).await?;
    if as_json {
        println!(
            "{}",
            serde_json::Value::from(all.iter().map(resource_json).collect::<Vec<_>>())
        );
        return Ok(Outcome::Success);
    }
    if all.is_empty() {
        println!("No resources yet (register one with `oauth-admin register-resource`).");
        return Ok(Outcome::Success);
    }
    println!(
        "{:<46}  {:<8}  {:<40}  NAME",
        "RESOURCE_ID", "STATUS", "URI"
    );
    for r in &all {
        let status = if r.is_active() { "active" } else { "disabled" };
        println!(
            "{:<46}  {:<8}  {:<40}  {}",
            r.protected_resource_id, status, r.uri, r.name
        );
    }
    Ok(Outcome::Success)
}

pub async fn show(db: &Db, which: &str, as_json: bool) -> AdminResult<Outcome> {
    let r = find(db, which).await?;
    if as_json {
        println!("{}", resource_json(&r));
        return Ok(Outcome::Success);
    }
    println!("resource_id: {}", r.protected_resource_id);
    println!("uri:         {}", r.uri);
    println!("name:        {}", r.name);
    println!("scopes:      {}", r.scopes.to_space_separated());
    match r.disabled_at {
        None => println!("status:      active"),
        Some(at) => println!("status:      disabled since {}", when(at)),
    }
    println!("created:     {}", when(r.created_at));
    Ok(Outcome::Success)
}

pub async fn set_disabled(db: &Db, which: &str, disable: bool, now: i64) -> AdminResult<Outcome> {
    let r = find(db, which).await?;
    let at = disable.then_some(now);
    if !resources::set_disabled(db, &r.protected_resource_id, at).await? {
        return Err(no_such_resource(which));
    }
    if disable {
        tracing::warn!(event = "resource_disabled", resource_id = %r.protected_resource_id, uri = %r.uri, "resource disabled: it cannot introspect, and no new token names it");
        println!(
            "Disabled {}: clients cannot ask for it, and it cannot introspect tokens.",
            r.uri
        );
    } else {
        println!("Enabled {}.", r.uri);
    }
    Ok(Outcome::Success)
}

pub async fn delete(db: &Db, which: &str) -> AdminResult<Outcome> {
    let r = find(db, which).await?;
    if !resources::delete(db, &r.protected_resource_id).await? {
        return Err(no_such_resource(which));
    }
    tracing::warn!(event = "resource_deleted", resource_id = %r.protected_resource_id, uri = %r.uri, "resource deleted");
    println!("Deleted {} ({}).", r.uri, r.protected_resource_id);
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_uris_are_absolute_https() {
        assert!(parse_resource_uri("https://mcp.example.com/mcp").is_ok());
        assert!(parse_resource_uri("http://localhost:8000/mcp").is_ok());
        for bad in [
            "http://mcp.example.com/mcp",
            "https://a/mcp#x",
            "/mcp",
            "urn:x",
            "mcp",
        ] {
            assert!(parse_resource_uri(bad).is_err(), "{bad}");
        }
    }
}
