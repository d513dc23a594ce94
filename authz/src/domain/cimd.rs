//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document):
//! a `client_id` that is an https URL names a JSON document describing the
//! client. The rules for the URL, for the addresses we will connect to (a
//! client must not make us fetch from our own network), and for the
//! document itself; the fetching is in `http::cimd`.

use super::registration::{
    check_metadata, AcceptedRegistration, ClientMetadata, RegistrationRejection,
};
use super::Rejection;
use shared::ErrorCode;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The largest document we read.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024;
/// A fetched document is used for at least this long (seconds)…
pub const MIN_CACHE: i64 = 5 * 60;
/// …and at most this long, whatever its `Cache-Control` says.
pub const MAX_CACHE: i64 = 24 * 3600;

/// True for a client id that names a metadata document (an https URL).
pub fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://")
}

/// Why a metadata-document client was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CimdRejection {
    /// Not usable as a client id URL (the draft's §3 rules).
    BadUrl(&'static str),
    /// The host is blocked, or not on the allow list.
    HostNotAllowed,
    /// The name resolved to no address, or to one we may not connect to.
    AddressNotAllowed,
    /// No answer, a TLS failure, or a timeout.
    Unreachable,
    /// Anything but 200 (a redirect included: we never follow one).
    Status(u16),
    TooLarge,
    NotJson,
    /// The document's `client_id` is not exactly the URL it was fetched from.
    ClientIdMismatch,
    /// A shared-secret (or any other) authentication method: such clients are public.
    SecretMethod,
    /// Metadata a registration could not have either (redirect URIs, grant types…).
    Metadata(RegistrationRejection),
}

impl Rejection for CimdRejection {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidClient
    }
}

impl fmt::Display for CimdRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CimdRejection::BadUrl(why) => write!(f, "The client_id URL is not usable: {why}."),
            CimdRejection::HostNotAllowed => {
                f.write_str("This server does not accept clients from the client_id's host.")
            }
            // One answer for both: telling them apart would let anyone map
            // which internal names resolve (the log has the difference).
            CimdRejection::AddressNotAllowed | CimdRejection::Unreachable => {
                f.write_str("The client's metadata document could not be fetched.")
            }
            CimdRejection::Status(s) => write!(
                f,
                "Fetching the client's metadata document answered {s}, not 200 (redirects are not followed)."
            ),
            CimdRejection::TooLarge => write!(
                f,
                "The client's metadata document is larger than {MAX_DOCUMENT_BYTES} bytes."
            ),
            CimdRejection::NotJson => {
                f.write_str("The client's metadata document is not a JSON object of client metadata.")
            }
            CimdRejection::ClientIdMismatch => f.write_str(
                "The metadata document's client_id is not exactly the URL it was fetched from.",
            ),
            CimdRejection::SecretMethod => f.write_str(
                "A metadata-document client must be public (token_endpoint_auth_method \"none\", PKCE S256, no client_secret).",
            ),
            CimdRejection::Metadata(r) => write!(f, "The client's metadata document: {r}"),
        }
    }
}

/// The draft's §3 rules for a client id URL: https, a host, a path, no
/// user-info, no fragment, no dot segments (and no query: we refuse one
/// rather than guess how it caches). Returns the host.
pub fn check_url(client_id: &str) -> Result<url::Url, CimdRejection> {
    let bad = CimdRejection::BadUrl;
    let url = url::Url::parse(client_id).map_err(|_| bad("not an absolute URL"))?;
    if url.scheme() != "https" {
        return Err(bad("it must use https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("it must not contain user information"));
    }
    if client_id.contains('#') {
        return Err(bad("it must not contain a fragment"));
    }
    if url.query().is_some() {
        return Err(bad("it must not contain a query"));
    }
    let path = client_id
        .splitn(4, '/')
        .nth(3)
        .map(|p| p.split(['?', '#']).next().unwrap_or(p))
        .unwrap_or("");
    if path.is_empty() {
        return Err(bad("it must contain a path"));
    }
    if path.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(bad("it must not contain dot segments"));
    }
    // The URL parser normalises; the id must already be in normal form, or
    // the document's client_id could never equal it byte for byte.
    if url.as_str() != client_id {
        return Err(bad("it is not in normal form"));
    }
    Ok(url)
}

/// Whether `host` may be fetched from, under the operator's lists. Entries
/// are host names; `*.example.com` covers every subdomain.
pub fn host_allowed(host: &str, allowed: &[String], blocked: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    let matches = |pattern: &String| {
        let p = pattern.trim().to_ascii_lowercase();
        match p.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == p,
        }
    };
    !blocked.iter().any(matches) && (allowed.is_empty() || allowed.iter().any(matches))
}

/// True for an address on the public internet. Refused: loopback,
/// private, link-local, shared (CGNAT), multicast, documentation,
/// benchmarking, reserved and unspecified ranges, in IPv4 and IPv6, and
/// IPv4 addresses hidden in IPv6 forms.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b)))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(embedded_v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded_v4(s[1], s[2]));
    }
    // Otherwise only global unicast (2000::/3) can be public at all: this
    // leaves out ::/96, local-use NAT64 (64:ff9b:1::/48), site-local
    // (fec0::/10), unique local, link-local, multicast and what is unassigned.
    if (s[0] & 0xe000) != 0x2000 {
        return false;
    }
    let documentation = s[0] == 0x2001 && s[1] == 0x0db8;
    let special_purpose = s[0] == 0x2001 && s[1] < 0x0200; // Teredo, ORCHID, benchmarking…
    !(documentation || special_purpose)
}

/// How long a document may be used, from its `Cache-Control` (clamped;
/// `no-store`/`no-cache` still get the minimum, so a flood of requests
/// cannot make us fetch once per request).
pub fn cache_seconds(cache_control: Option<&str>) -> i64 {
    let max_age = cache_control.and_then(|cc| {
        cc.split(',')
            .filter_map(|d| d.trim().strip_prefix("max-age="))
            .find_map(|v| v.trim_matches('"').parse::<i64>().ok())
    });
    max_age.unwrap_or(MIN_CACHE).clamp(MIN_CACHE, MAX_CACHE)
}

/// The document's rules: its `client_id` is exactly the URL, and it
/// describes a public client of the code grant with redirect URIs that are
/// safe to register. A nameless client is named by its host.
pub fn check_document(
    url: &str,
    doc: &ClientMetadata,
) -> Result<AcceptedRegistration, CimdRejection> {
    if doc.client_id.as_deref() != Some(url) {
        return Err(CimdRejection::ClientIdMismatch);
    }
    if doc.client_secret.is_some()
        || !matches!(
            doc.token_endpoint_auth_method.as_deref(),
            None | Some("none")
        )
    {
        return Err(CimdRejection::SecretMethod);
    }
    let mut accepted = check_metadata(doc, true).map_err(CimdRejection::Metadata)?;
    if accepted.name.is_none() {
        accepted.name = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
    }
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://client.example.com/oauth/metadata.json";

    fn doc() -> ClientMetadata {
        ClientMetadata {
            client_id: Some(URL.into()),
            client_name: Some("Example MCP Client".into()),
            redirect_uris: vec!["http://127.0.0.1:33418/callback".into()],
            token_endpoint_auth_method: Some("none".into()),
            grant_types: Some(vec!["authorization_code".into(), "refresh_token".into()]),
            response_types: Some(vec!["code".into()]),
            ..ClientMetadata::default()
        }
    }

    #[test]
    fn client_id_urls_follow_the_draft() {
        assert!(check_url(URL).is_ok());
        assert!(check_url("https://client.example.com:8443/c").is_ok());
        for (bad, why) in [
            ("http://client.example.com/c", "https"),
            ("https://client.example.com", "path"),
            ("https://client.example.com/", "path"),
            ("https://u:p@client.example.com/c", "user"),
            ("https://client.example.com/c#f", "fragment"),
            ("https://client.example.com/c?x=1", "query"),
            ("https://client.example.com/a/../c", "dot"),
            ("https://Client.Example.com/c", "normal form"),
            ("not a url", "absolute"),
        ] {
            match check_url(bad) {
                Err(CimdRejection::BadUrl(w)) => assert!(w.contains(why), "{bad}: {w}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn only_public_addresses_may_be_fetched() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::808:808",
            "::808:808",
            "fec0::1",
            "100::1",
            "2002:a00:1::",
            "2001:db8::1",
            "ff02::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.215.14",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn host_lists() {
        let none: Vec<String> = vec![];
        assert!(host_allowed("a.example", &none, &none));
        let allowed = vec!["*.trusted.example".to_owned(), "one.example".to_owned()];
        assert!(host_allowed("x.trusted.example", &allowed, &none));
        assert!(host_allowed("ONE.example", &allowed, &none));
        assert!(!host_allowed("trusted.example.evil", &allowed, &none));
        assert!(!host_allowed("other.example", &allowed, &none));
        let blocked = vec!["*.evil.example".to_owned()];
        assert!(!host_allowed("a.evil.example", &none, &blocked));
        assert!(!host_allowed(
            "x.trusted.example",
            &allowed,
            &["x.trusted.example".to_owned()]
        ));
    }

    #[test]
    fn cache_lifetimes_are_bounded() {
        assert_eq!(cache_seconds(None), MIN_CACHE);
        assert_eq!(cache_seconds(Some("max-age=3600")), 3600);
        assert_eq!(cache_seconds(Some("public, max-age=10")), MIN_CACHE);
        assert_eq!(cache_seconds(Some("max-age=99999999")), MAX_CACHE);
        assert_eq!(cache_seconds(Some("no-store")), MIN_CACHE);
    }

    #[test]
    fn documents_are_checked() {
        let ok = check_document(URL, &doc()).unwrap();
        assert_eq!(ok.name.as_deref(), Some("Example MCP Client"));
        assert_eq!(
            ok.application_type,
            crate::domain::client::ApplicationType::Native
        );
        assert_eq!(
            ok.scopes,
            shared::ScopeSet::new(shared::Scope::PLATFORM),
            "none listed: the catalogue"
        );
        let with = |f: fn(&mut ClientMetadata)| {
            let mut d = doc();
            f(&mut d);
            check_document(URL, &d).unwrap_err()
        };
        assert_eq!(
            with(|d| d.client_id = Some(format!("{URL}/"))),
            CimdRejection::ClientIdMismatch
        );
        assert_eq!(
            with(|d| d.client_id = None),
            CimdRejection::ClientIdMismatch
        );
        assert!(matches!(
            with(|d| d.redirect_uris.clear()),
            CimdRejection::Metadata(RegistrationRejection::NoRedirectUris)
        ));
        let mut nameless = doc();
        nameless.client_name = None;
        assert_eq!(
            check_document(URL, &nameless).unwrap().name.as_deref(),
            Some("client.example.com")
        );
        assert_eq!(
            with(|d| d.token_endpoint_auth_method = Some("client_secret_basic".into())),
            CimdRejection::SecretMethod
        );
        assert_eq!(
            with(|d| d.token_endpoint_auth_method = Some("private_key_jwt".into())),
            CimdRejection::SecretMethod
        );
        assert_eq!(
            with(|d| d.client_secret = Some(serde::de::IgnoredAny)),
            CimdRejection::SecretMethod,
            "a secret in a public document"
        );
        assert!(matches!(
            with(|d| d.grant_types = Some(vec!["client_credentials".into()])),
            CimdRejection::Metadata(RegistrationRejection::Metadata("grant_types", _))
        ));
        // Claude's and VS Code's documents list grants we do not offer.
        for extra in [
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "urn:ietf:params:oauth:grant-type:device_code",
        ] {
            let mut d = doc();
            d.grant_types = Some(vec![
                "authorization_code".into(),
                "refresh_token".into(),
                extra.into(),
            ]);
            let ok = check_document(URL, &d).unwrap();
            assert_eq!(
                ok.grant_types,
                [
                    crate::domain::client::GrantType::AuthorizationCode,
                    crate::domain::client::GrantType::RefreshToken
                ]
            );
        }
        assert!(matches!(
            with(|d| d.redirect_uris = vec!["javascript:alert(1)".into()]),
            CimdRejection::Metadata(RegistrationRejection::RedirectUri(_))
        ));
    }
}
