//! `oauth-admin doctor`: checks a deployment the way strict MCP clients
//! will, so that the operator hears of a problem before a client refuses
//! to sign anyone in. The checks are pure functions of what was fetched and
//! what the database says (tested below); `run` only fetches and prints.

use super::{AdminError, AdminResult, Doctor, Outcome};
use crate::config::issuer_for;
use crate::store::{resources, ConnectError, Db};
use serde_json::{json, Map, Value};
use shared::{ResourceUri, Scope};
use std::net::SocketAddr;
use std::time::Duration;
use url::Url;

/// One fetch in all; a doctor that hangs on a dead proxy helps no one.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Metadata documents are a few KB; a megabyte is something else.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Opening the database and one lookup.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(15);

const AS_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
const OIDC_WELL_KNOWN: &str = "/.well-known/openid-configuration";
const PR_WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

// Stable: scripts read them from `--json`.
pub const METADATA_REACHABLE: &str = "metadata_reachable";
pub const ISSUER_MATCHES_PUBLIC_URL: &str = "issuer_matches_public_url";
pub const ISSUER_IS_HTTPS: &str = "issuer_is_https";
pub const S256_SUPPORTED: &str = "s256_supported";
pub const PUBLIC_CLIENTS_SUPPORTED: &str = "public_clients_supported";
pub const CIMD_SUPPORTED: &str = "cimd_supported";
pub const OPENID_CONFIGURATION_AGREES: &str = "openid_configuration_agrees";
pub const RESOURCE_METADATA_REACHABLE: &str = "resource_metadata_reachable";
pub const RESOURCE_MATCHES_METADATA_URL: &str = "resource_matches_metadata_url";
pub const AUTHORIZATION_SERVERS_NAMES_ISSUER: &str = "authorization_servers_names_issuer";
pub const RESOURCE_REGISTERED: &str = "resource_registered";
pub const RESOURCE_SPELLED_AS_REGISTERED: &str = "resource_spelled_as_registered";
pub const RESOURCE_SCOPES_KNOWN: &str = "resource_scopes_known";

/// What one check found: nothing wrong, or a problem and its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub problem: Option<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub what: String,
    pub fix: String,
}

impl Check {
    fn new(name: &'static str, result: Result<(), Problem>) -> Check {
        Check {
            name,
            problem: result.err(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

fn problem(what: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem {
        what: what.into(),
        fix: fix.into(),
    }
}

/// A document as fetched: where from, and its JSON or why there is none.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: String,
    pub body: Result<Value, String>,
}

/// The issuer the server announces, by the server's own rule.
pub fn expected_issuer(public_url: Option<&str>, bind: SocketAddr) -> AdminResult<String> {
    if public_url.is_none() && bind.port() == 0 {
        return Err(AdminError::Invalid(
            "without a public URL the server's issuer names the port it was given, and port 0 \
             is a random one: pass --public-url (or PUBLIC_URL)"
                .into(),
        ));
    }
    Ok(issuer_for(public_url, bind))
}

/// Where strict clients look for our metadata under `base`: RFC 8414 §3.1
/// puts the well-known part between the host and the issuer's path, OpenID
/// Connect Discovery §4 after the path (the same URL when there is none).
pub fn metadata_urls(base: &Url) -> (String, String) {
    let origin = base.origin().ascii_serialization();
    let path = base.path().trim_end_matches('/');
    (
        format!("{origin}{AS_WELL_KNOWN}{path}"),
        format!("{origin}{path}{OIDC_WELL_KNOWN}"),
    )
}

/// How two issuer spellings differ, if they do. The trailing slash gets a
/// name of its own: it is the usual mistake, and invisible when skimming.
#[derive(Debug, PartialEq, Eq)]
enum Mismatch {
    TrailingSlash,
    Other,
}

fn compare(published: &str, ours: &str) -> Option<Mismatch> {
    if published == ours {
        None
    } else if published.trim_end_matches('/') == ours.trim_end_matches('/') {
        Some(Mismatch::TrailingSlash)
    } else {
        Some(Mismatch::Other)
    }
}

const TRAILING_SLASH: &str =
    "the only difference is a trailing slash, and several MCP clients refuse that (they compare issuers byte for byte)";

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn strings<'a>(doc: &'a Map<String, Value>, field: &str) -> Option<Vec<&'a str>> {
    doc.get(field)?
        .as_array()?
        .iter()
        .map(Value::as_str)
        .collect()
}

fn shown(list: &Option<Vec<&str>>) -> String {
    match list {
        Some(items) => format!("{items:?}"),
        None => "missing".into(),
    }
}

/// A fetched document that is a JSON object with a string `field`.
fn document<'a>(fetched: &'a Fetched, field: &str) -> Result<&'a Map<String, Value>, String> {
    let body = fetched
        .body
        .as_ref()
        .map_err(|e| format!("cannot fetch {}: {e}", fetched.url))?;
    body.as_object()
        .filter(|doc| doc.get(field).is_some_and(Value::is_string))
        .ok_or_else(|| format!("{} has no {field:?}", fetched.url))
}

/// Our own metadata: what every MCP client reads before anything else.
pub fn server_checks(issuer: &str, metadata: &Fetched, openid: &Fetched) -> Vec<Check> {
    let doc = match document(metadata, "issuer") {
        Ok(doc) => doc,
        Err(e) => {
            let fix = "start the server, route /.well-known/ on the public URL to it, or pass \
                       --server-url with an address this machine reaches it at";
            return vec![Check::new(METADATA_REACHABLE, Err(problem(e, fix)))];
        }
    };
    let published = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
    let not_ours = format!(
        "{} is not this server's document (an old version, or another service at that \
         address): upgrade the server, or route /.well-known/ to it",
        metadata.url
    );
    let has = |field: &str, want: &str| strings(doc, field).is_some_and(|l| l.contains(&want));

    let issuer_matches = match compare(published, issuer) {
        None => Ok(()),
        Some(Mismatch::TrailingSlash) => Err(problem(
            format!(
                "the server announces the issuer {published:?}, the public URL makes it {issuer:?}: {TRAILING_SLASH}"
            ),
            format!("give the server and doctor the same PUBLIC_URL; the issuer must be exactly {issuer:?}"),
        )),
        Some(Mismatch::Other) => Err(problem(
            format!("the server announces the issuer {published:?}, the public URL makes it {issuer:?}"),
            format!(
                "run doctor with the server's PUBLIC_URL; if that is right, set the server's \
                 PUBLIC_URL to {issuer:?} and restart it"
            ),
        )),
    };
    let s256 = if has("code_challenge_methods_supported", "S256") {
        Ok(())
    } else {
        Err(problem(
            format!(
                "code_challenge_methods_supported is {} without \"S256\": MCP clients refuse a server that does not publish it",
                shown(&strings(doc, "code_challenge_methods_supported"))
            ),
            not_ours.clone(),
        ))
    };
    let public_clients = if has("token_endpoint_auth_methods_supported", "none") {
        Ok(())
    } else {
        Err(problem(
            format!(
                "token_endpoint_auth_methods_supported is {} without \"none\": MCP clients are public clients (no secret)",
                shown(&strings(doc, "token_endpoint_auth_methods_supported"))
            ),
            not_ours,
        ))
    };
    let cimd = if doc.get("client_id_metadata_document_supported") == Some(&Value::Bool(true)) {
        Ok(())
    } else {
        Err(problem(
            "client_id_metadata_document_supported is not true: Claude and VS Code identify \
             themselves by a client ID metadata document only where it is",
            "set CIMD_ENABLED=true on the server (its default) and restart it",
        ))
    };
    vec![
        Check::new(METADATA_REACHABLE, Ok(())),
        Check::new(ISSUER_MATCHES_PUBLIC_URL, issuer_matches),
        Check::new(ISSUER_IS_HTTPS, issuer_is_https(published)),
        Check::new(S256_SUPPORTED, s256),
        Check::new(PUBLIC_CLIENTS_SUPPORTED, public_clients),
        Check::new(CIMD_SUPPORTED, cimd),
        Check::new(
            OPENID_CONFIGURATION_AGREES,
            openid_agrees(published, &metadata.url, openid),
        ),
    ]
}

fn issuer_is_https(issuer: &str) -> Result<(), Problem> {
    let fix = "serve the server over https and set PUBLIC_URL to its https address, e.g. https://auth.example.com";
    let Ok(url) = Url::parse(issuer) else {
        return Err(problem(format!("the issuer {issuer:?} is not a URL"), fix));
    };
    if url.query().is_some() || url.fragment().is_some() {
        return Err(problem(
            format!("the issuer {issuer:?} has a query or fragment, which RFC 8414 §2 forbids"),
            "set PUBLIC_URL to the scheme, host and (if any) path only",
        ));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        _ => Err(problem(
            format!("the issuer {issuer:?} is not https: clients refuse an authorization server on plain http off loopback"),
            fix,
        )),
    }
}

fn openid_agrees(issuer: &str, metadata_url: &str, openid: &Fetched) -> Result<(), Problem> {
    let fix = "route /.well-known/openid-configuration on the public URL to the server too \
               (OpenID Connect relying parties read only that one)";
    let doc = document(openid, "issuer").map_err(|e| problem(e, fix))?;
    let theirs = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
    if theirs == issuer {
        return Ok(());
    }
    Err(problem(
        format!(
            "{} announces the issuer {theirs:?}, {metadata_url} {issuer:?}",
            openid.url
        ),
        "both documents must come from this server: route both /.well-known/ paths to it",
    ))
}

/// The MCP server's protected-resource metadata (RFC 9728), as far as it
/// can be checked without our database. Returns the checks and the
/// `resource` it publishes (None when there is no usable document).
pub fn resource_document_checks(issuer: &str, fetched: &Fetched) -> (Vec<Check>, Option<String>) {
    let doc = match document(fetched, "resource") {
        Ok(doc) => doc,
        Err(e) => {
            let fix = format!(
                "serve RFC 9728 metadata there ({{\"resource\": \"<the MCP endpoint's URL>\", \
                 \"authorization_servers\": [{issuer:?}]}}) at https://<host>{PR_WELL_KNOWN}<the endpoint's path>, \
                 and pass that URL"
            );
            return (
                vec![Check::new(
                    RESOURCE_METADATA_REACHABLE,
                    Err(problem(e, fix)),
                )],
                None,
            );
        }
    };
    let resource = doc.get("resource").and_then(Value::as_str).unwrap_or("");
    let mut checks = vec![Check::new(RESOURCE_METADATA_REACHABLE, Ok(()))];
    if let Some(result) = resource_matches_url(&fetched.url, resource) {
        checks.push(Check::new(RESOURCE_MATCHES_METADATA_URL, result));
    }
    checks.push(Check::new(
        AUTHORIZATION_SERVERS_NAMES_ISSUER,
        names_issuer(doc, issuer),
    ));
    (checks, Some(resource.to_owned()))
}

/// RFC 9728 §3.3: a document fetched from the well-known URL of a resource
/// must name that very resource, or clients drop it. The document at the
/// bare well-known path (no endpoint path) is what older clients read;
/// it may name an endpoint on its host, so only the origin is compared.
/// None when the URL is not a well-known one (nothing to compare with).
fn resource_matches_url(metadata_url: &str, resource: &str) -> Option<Result<(), Problem>> {
    let url = Url::parse(metadata_url).ok()?;
    let rest = url.path().strip_prefix(PR_WELL_KNOWN)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    if rest.is_empty() && url.query().is_none() {
        let same_origin = Url::parse(resource).is_ok_and(|r| r.origin() == url.origin());
        return Some(if same_origin {
            Ok(())
        } else {
            Err(problem(
                format!("the document names the resource {resource:?}, which is not on {origin}"),
                "serve each resource's metadata on the resource's own host",
            ))
        });
    }
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    let expected = format!("{origin}{rest}{query}");
    Some(match compare(resource, &expected) {
        None => Ok(()),
        Some(how) => {
            let slash = if how == Mismatch::TrailingSlash {
                " (the only difference is a trailing slash)"
            } else {
                ""
            };
            Err(problem(
                format!(
                    "the document names the resource {resource:?}, but it is served for {expected:?}{slash}: RFC 9728 §3.3 wants them identical, and clients check"
                ),
                format!(
                    "publish \"resource\": {expected:?}, or serve this document at the well-known URL of {resource:?}"
                ),
            ))
        }
    })
}

fn names_issuer(doc: &Map<String, Value>, issuer: &str) -> Result<(), Problem> {
    let fix = format!("publish \"authorization_servers\": [{issuer:?}], exactly that string");
    let Some(servers) = strings(doc, "authorization_servers") else {
        return Err(problem(
            "the document has no authorization_servers list of strings: clients cannot find us",
            fix,
        ));
    };
    if servers.contains(&issuer) {
        return Ok(());
    }
    if let Some(near) = servers
        .iter()
        .find(|s| compare(s, issuer) == Some(Mismatch::TrailingSlash))
    {
        return Err(problem(
            format!(
                "authorization_servers has {near:?}, our issuer is {issuer:?}: {TRAILING_SLASH}"
            ),
            format!("publish exactly {issuer:?} (no trailing slash) in authorization_servers"),
        ));
    }
    Err(problem(
        format!("authorization_servers is {servers:?}, and none is our issuer {issuer:?}"),
        format!(
            "add exactly {issuer:?} (our issuer: the public URL without a trailing slash) to authorization_servers"
        ),
    ))
}

/// A registered resource, as far as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub id: String,
    pub uri: String,
    pub active: bool,
}

/// What the database says about the published `resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// It cannot be a resource indicator at all (RFC 8707 §2).
    NotAUri,
    /// The database could not be read; why.
    Failed(String),
    Missing,
    /// Registered in this or an equivalent spelling (`ResourceUri::key`).
    Found(Registered),
}

pub fn registration_checks(resource: &str, lookup: &Lookup) -> Vec<Check> {
    let registered = match lookup {
        Lookup::NotAUri => Err(problem(
            format!("the resource {resource:?} is not an absolute URI without a fragment (RFC 8707 §2)"),
            "publish the MCP endpoint's URL as \"resource\", e.g. https://mcp.example.com/mcp",
        )),
        Lookup::Failed(why) => Err(problem(
            format!("cannot read the registered resources: {why}"),
            "run doctor with the server's DATABASE_URL",
        )),
        Lookup::Missing => Err(problem(
            format!("{resource:?} is not a registered resource: we refuse tokens for it (invalid_target)"),
            format!("oauth-admin register-resource --uri {resource} --name \"<its name>\" (with the server's DATABASE_URL)"),
        )),
        Lookup::Found(r) if !r.active => Err(problem(
            format!("{resource:?} is registered ({}) but disabled: we refuse tokens for it", r.id),
            format!("oauth-admin enable-resource {}", r.id),
        )),
        Lookup::Found(_) => Ok(()),
    };
    let mut checks = vec![Check::new(RESOURCE_REGISTERED, registered)];
    if let Lookup::Found(r) = lookup {
        // Equivalent spellings find one resource, but tokens carry the
        // registered one as `aud`, and the MCP server looks for its own.
        let spelled = if r.uri == resource {
            Ok(())
        } else {
            Err(problem(
                format!(
                    "the document names {resource:?}, registered as {:?}: one resource to us, but tokens carry {:?} as their aud, and an MCP server that looks for {resource:?} there refuses them",
                    r.uri, r.uri
                ),
                format!("publish \"resource\": {:?}, the registered spelling", r.uri),
            ))
        };
        checks.push(Check::new(RESOURCE_SPELLED_AS_REGISTERED, spelled));
    }
    checks
}

/// The scope names we accept: what our metadata publishes (so the check
/// follows the catalogue wherever it lives), or the built-in catalogue
/// when our metadata could not be read.
pub fn known_scopes(our_metadata: Option<&Value>) -> Vec<String> {
    our_metadata
        .and_then(Value::as_object)
        .and_then(|doc| strings(doc, "scopes_supported"))
        .filter(|l| !l.is_empty())
        .map(|l| l.into_iter().map(str::to_owned).collect())
        .unwrap_or_else(|| Scope::ALL.iter().map(|s| s.as_str().to_owned()).collect())
}

pub fn scopes_check(resource_document: &Value, known: &[String]) -> Check {
    let field = resource_document.get("scopes_supported");
    let result = match field {
        // RFC 9728 only recommends it; there is then nothing to check.
        None => Ok(()),
        Some(v) => match v
            .as_array()
            .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<&str>>>())
        {
            None => Err(problem(
                "scopes_supported is not a list of strings",
                "publish scopes_supported as a JSON array of our scope names",
            )),
            Some(names) => {
                let unknown: Vec<&str> = names
                    .into_iter()
                    .filter(|n| !known.iter().any(|k| k == n))
                    .collect();
                if unknown.is_empty() {
                    Ok(())
                } else {
                    Err(problem(
                        format!(
                            "scopes_supported names {unknown:?}, which we do not know: clients that ask for them are refused"
                        ),
                        format!("remove them; ours are {}", known.join(", ")),
                    ))
                }
            }
        },
    };
    Check::new(RESOURCE_SCOPES_KNOWN, result)
}

pub fn all_ok(checks: &[Check]) -> bool {
    checks.iter().all(Check::is_ok)
}

/// One line per check.
pub fn render_text(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        match &c.problem {
            None => out.push_str(&format!("ok      {}\n", c.name)),
            Some(p) => out.push_str(&format!(
                "problem {}: {} — fix: {}\n",
                c.name, p.what, p.fix
            )),
        }
    }
    out
}

pub fn render_json(checks: &[Check]) -> Value {
    json!({
        "ok": all_ok(checks),
        "checks": checks.iter().map(|c| json!({
            "name": c.name,
            "ok": c.is_ok(),
            "problem": c.problem.as_ref().map(|p| &p.what),
            "fix": c.problem.as_ref().map(|p| &p.fix),
        })).collect::<Vec<_>>(),
    })
}

pub fn parse_http_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s.trim()).map_err(|e| format!("{s:?} is not a URL ({e})"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        _ => Err(format!("{s:?}: an http or https URL, please")),
    }
}

pub async fn run(database_url: &str, args: Doctor) -> AdminResult<Outcome> {
    let issuer = expected_issuer(args.public_url.as_deref(), args.bind)?;
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        // Clients fetch metadata from one address; a redirect is reported, not followed.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("oauth-admin-doctor/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AdminError::Invalid(format!("cannot make an HTTP client: {e}")))?;

    let base = match args.server_url {
        Some(url) => Ok(url),
        None => parse_http_url(&issuer)
            .map_err(|e| format!("the public URL is not usable ({e}); pass --server-url")),
    };
    let (metadata, openid) = match &base {
        Ok(base) => {
            let (metadata_url, openid_url) = metadata_urls(base);
            let (m, o) = tokio::join!(
                fetch_json(&client, &metadata_url),
                fetch_json(&client, &openid_url)
            );
            (
                Fetched {
                    url: metadata_url,
                    body: m,
                },
                Fetched {
                    url: openid_url,
                    body: o,
                },
            )
        }
        Err(e) => {
            let failed = Fetched {
                url: issuer.clone(),
                body: Err(e.clone()),
            };
            (failed.clone(), failed)
        }
    };
    if !args.json {
        eprintln!(
            "Checking the issuer {issuer:?} (metadata from {}).",
            metadata.url
        );
    }
    let mut checks = server_checks(&issuer, &metadata, &openid);

    if let Some(url) = args.resource_metadata {
        let url = url.to_string();
        let fetched = Fetched {
            body: fetch_json(&client, &url).await,
            url,
        };
        let (resource_checks, resource) = resource_document_checks(&issuer, &fetched);
        checks.extend(resource_checks);
        if let (Some(resource), Ok(doc)) = (resource, &fetched.body) {
            let lookup = look_up(database_url, &resource).await;
            checks.extend(registration_checks(&resource, &lookup));
            checks.push(scopes_check(
                doc,
                &known_scopes(metadata.body.as_ref().ok()),
            ));
        }
    }

    if args.json {
        println!("{}", render_json(&checks));
    } else {
        print!("{}", render_text(&checks));
    }
    Ok(if all_ok(&checks) {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// GETs a JSON document, strictly: a 200 with at most a megabyte of JSON.
async fn fetch_json(client: &reqwest::Client, url: &str) -> Result<Value, String> {
    let mut res = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = res.status();
    if status.is_redirection() {
        let to = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("nowhere");
        return Err(format!(
            "it answers {status}, to {to}: clients want the document at exactly this address"
        ));
    }
    if status != reqwest::StatusCode::OK {
        return Err(format!("it answers {status}"));
    }
    let content_type = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_owned();
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err("it answers more than a megabyte: not a metadata document".into());
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body)
        .map_err(|e| format!("it answers no JSON (content-type {content_type}; {e})"))
}

/// A transport error in a few words: reqwest's own message only names the
/// URL, the cause is at the bottom of its chain.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", FETCH_TIMEOUT.as_secs());
    }
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if e.is_connect() {
        format!("cannot connect ({cause})")
    } else {
        cause.to_string()
    }
}

/// The registration of `resource`, read as the server reads it, without
/// changing the database (no migrations, no file created).
async fn look_up(database_url: &str, resource: &str) -> Lookup {
    let Some(uri) = ResourceUri::parse(resource) else {
        return Lookup::NotAUri;
    };
    if let Some(path) = sqlite_file(database_url) {
        if !std::path::Path::new(path).exists() {
            return Lookup::Failed(format!("the SQLite database {path} does not exist"));
        }
    }
    let read = async {
        let db = Db::open(database_url, 1).await.map_err(|e| match e {
            // Its message repeats the URL, which may hold a password.
            ConnectError::UnsupportedUrl(_) => {
                "DATABASE_URL is neither sqlite:… nor postgres://…".to_owned()
            }
            other => other.to_string(),
        })?;
        let found = resources::find_by_uris(&db, &[uri])
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(found.into_iter().next())
    };
    match tokio::time::timeout(DATABASE_TIMEOUT, read).await {
        Err(_) => Lookup::Failed(format!("no answer within {} s", DATABASE_TIMEOUT.as_secs())),
        Ok(Err(why)) => Lookup::Failed(why),
        Ok(Ok(None)) => Lookup::Missing,
        Ok(Ok(Some(r))) => Lookup::Found(Registered {
            active: r.is_active(),
            id: r.protected_resource_id,
            uri: r.uri.to_string(),
        }),
    }
}

/// The file a `sqlite:` URL names, if any (not `:memory:`).
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
#[path = "doctor_tests.rs"]
mod tests;
