//! Validated protocol values. Each can only be built valid (`parse`), so code
//! that holds one never checks it again.

use serde::{Deserialize, Serialize};
use std::fmt;

/// RFC 7636 §4.1 `unreserved` = ALPHA / DIGIT / "-" / "." / "_" / "~".
fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// True for a string of 43 to 128 unreserved characters: the syntax RFC 7636
/// gives both the code verifier (§4.1) and, for S256 and plain, the challenge.
pub fn is_pkce_syntax(s: &str) -> bool {
    (43..=128).contains(&s.len()) && s.chars().all(is_unreserved)
}

/// An application's public identifier (`agpt_client_…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    pub const PREFIX: &'static str = "agpt_client_";
    pub const MAX_LEN: usize = 512;

    /// Any visible-ASCII string of sensible length; unknown ids are a lookup
    /// miss, not a syntax error.
    pub fn parse(s: &str) -> Option<Self> {
        let ok =
            !s.is_empty() && s.len() <= Self::MAX_LEN && s.chars().all(|c| c.is_ascii_graphic());
        ok.then(|| ClientId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A redirect URI as the client sent it. Compared by exact string with the
/// registered ones (RFC 9700 §4.1.3): no normalisation, so no tricks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RedirectUri(String);

impl RedirectUri {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty() && s.len() <= Self::MAX_LEN && !s.chars().any(|c| c.is_control());
        ok.then(|| RedirectUri(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host the person will be sent to, for the consent screen
    /// ("you will be redirected to example.com"). Falls back to the scheme for
    /// private-use URIs such as `com.example.app:/cb`.
    pub fn display_host(&self) -> &str {
        let s = self.0.as_str();
        match s.split_once("://") {
            Some((_, rest)) => {
                let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
                authority.rsplit('@').next().unwrap_or(authority)
            }
            None => s.split(':').next().unwrap_or(s),
        }
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl RedirectUri {
    /// What a registered URI is matched on (RFC 8252 §7.3): the URI itself,
    /// except that an `http` loopback URI (`127.0.0.1`, `[::1]`, `localhost`)
    /// leaves out its port, since a native app listens on whatever port the
    /// system gives it. Path, query and case stay exact.
    pub fn match_key(&self) -> String {
        for prefix in ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"] {
            if let Some(rest) = self.0.strip_prefix(prefix) {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                if digits > 0 {
                    return format!("{}{}", &prefix[..prefix.len() - 1], &rest[digits..]);
                }
            }
        }
        self.0.clone()
    }

    /// True for an `http` URI on a loopback host: an app on the person's own device.
    pub fn is_loopback(&self) -> bool {
        ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| {
                self.0
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/', '?']))
            })
    }
}

/// A resource indicator (RFC 8707 §2): the absolute URI, without fragment,
/// of a service the client wants a token for. Compared with the registered
/// ones by [`ResourceUri::key`], so that `https://host` and `https://host/`
/// name one resource (clients disagree on which they send).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResourceUri(String);

impl ResourceUri {
    pub const MAX_LEN: usize = 2048;
    /// The most `resource` values one request may carry. A client names the
    /// few services it will call; thousands would only make us echo and
    /// de-duplicate them (the count is checked before any parsing).
    pub const MAX_PER_REQUEST: usize = 10;

    pub fn parse(s: &str) -> Option<Self> {
        let (scheme, rest) = s.split_once(':')?;
        let scheme_ok = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        let ok = scheme_ok
            && !rest.is_empty()
            && s.len() <= Self::MAX_LEN
            && !s.contains('#')
            && !s.chars().any(|c| c.is_control() || c.is_whitespace());
        ok.then(|| ResourceUri(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two spellings of one resource share (RFC 3986 §6.2.2.1,
    /// §6.2.3): scheme and host in lower case, no default port, and an
    /// empty http(s) path as `/`. The rest (path, query) stays as written:
    /// its case can matter to the service.
    pub fn key(&self) -> String {
        let p = self.parts();
        let Some((host, port)) = p.authority else {
            return format!("{}:{}", p.scheme.to_ascii_lowercase(), p.tail);
        };
        let mut key = format!(
            "{}://{}",
            p.scheme.to_ascii_lowercase(),
            host.to_ascii_lowercase()
        );
        if !port.is_empty() {
            key.push(':');
            key.push_str(port);
        }
        if p.slash_path && !p.tail.starts_with('/') {
            key.push('/');
        }
        key.push_str(p.tail);
        key
    }

    /// Whether `other` names the same resource: `self.key() == other.key()`,
    /// without building either (the consent screen runs this).
    pub fn same_as(&self, other: &ResourceUri) -> bool {
        let (a, b) = (self.parts(), other.parts());
        a.scheme.eq_ignore_ascii_case(b.scheme)
            && match (a.authority, b.authority) {
                (Some((ha, pa)), Some((hb, pb))) => ha.eq_ignore_ascii_case(hb) && pa == pb,
                (None, None) => true,
                _ => false,
            }
            && a.path() == b.path()
    }

    fn parts(&self) -> Parts<'_> {
        let s = self.0.as_str();
        let (scheme, rest) = s.split_once(':').unwrap_or(("", s));
        let Some(after) = rest.strip_prefix("//") else {
            return Parts {
                scheme,
                authority: None,
                tail: rest,
                slash_path: false,
            };
        };
        let (authority, tail) = after.split_at(after.find(['/', '?']).unwrap_or(after.len()));
        // A colon after the last `]` (if any) starts the port.
        let (host, port) = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => (&authority[..i], &authority[i + 1..]),
            _ => (authority, ""),
        };
        let default_port = if scheme.eq_ignore_ascii_case("https") {
            Some("443")
        } else if scheme.eq_ignore_ascii_case("http") {
            Some("80")
        } else {
            None
        };
        Parts {
            scheme,
            authority: Some((host, if Some(port) == default_port { "" } else { port })),
            tail,
            slash_path: default_port.is_some(),
        }
    }
}

impl<'a> Parts<'a> {
    /// Path and query with an http(s) path's leading `/` implied.
    fn path(&self) -> (bool, &'a str) {
        match self.tail.strip_prefix('/') {
            Some(rest) if self.slash_path => (true, rest),
            _ => (self.slash_path, self.tail),
        }
    }
}

/// A resource URI taken apart for comparison.
struct Parts<'a> {
    scheme: &'a str,
    /// Host (with any user-info) and port, a default port as empty.
    authority: Option<(&'a str, &'a str)>,
    /// Path and query.
    tail: &'a str,
    /// http(s): an empty path is `/`.
    slash_path: bool,
}

impl fmt::Display for ResourceUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads a JSON string or array of strings as a list (a form sends a
/// repeated parameter as several values; JSON clients send either).
pub fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    // A visitor rather than an untagged enum: no buffering of the value,
    // and far less code in the consent screen's download.
    struct OneOrMany;
    impl<'de> serde::de::Visitor<'de> for OneOrMany {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_owned()])
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(vec![v])
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut all = Vec::new();
            while let Some(v) = seq.next_element::<String>()? {
                all.push(v);
            }
            Ok(all)
        }
    }
    d.deserialize_option(OneOrMany)
}

/// The client's `state`, echoed verbatim in every authorization response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct State(String);

impl State {
    /// The longest `state` we echo; more is not a CSRF token but an abuse of our URL.
    pub const MAX_LEN: usize = 2048;

    pub fn parse(s: &str) -> Option<Self> {
        (!s.is_empty() && s.len() <= Self::MAX_LEN).then(|| State(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How the code challenge was derived (RFC 7636 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeChallengeMethod {
    S256,
    #[serde(rename = "plain")]
    Plain,
}

impl CodeChallengeMethod {
    /// RFC 7636 §4.3: absent means `plain`; callers decide whether they allow it.
    pub fn parse(s: Option<&str>) -> Option<Self> {
        match s {
            None | Some("plain") => Some(CodeChallengeMethod::Plain),
            Some("S256") => Some(CodeChallengeMethod::S256),
            Some(_) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CodeChallengeMethod::S256 => "S256",
            CodeChallengeMethod::Plain => "plain",
        }
    }
}

/// A PKCE code challenge (RFC 7636 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    pub fn parse(s: &str) -> Option<Self> {
        is_pkce_syntax(s).then(|| CodeChallenge(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The decision the person made on the consent screen. There is no default:
/// a body that does not say is refused, never approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Deny,
    /// No screen was shown because the person already allowed all of it;
    /// the server checks that itself (the consent record, the client's
    /// registration, `prompt`, the operator's setting).
    Remembered,
}

/// Validated newtypes are read through their parser, never around it: a
/// body cannot carry one that `parse` would refuse.
macro_rules! parsed_string {
    ($($name:ident: $what:literal),* $(,)?) => {$(
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s).ok_or_else(|| format!("not {}", $what))
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    )*};
}

parsed_string!(
    ClientId: "a client id",
    RedirectUri: "a redirect URI",
    ResourceUri: "a resource indicator",
    State: "a state value",
);

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn pkce_syntax_follows_rfc_7636() {
        assert!(is_pkce_syntax(CHALLENGE));
        assert!(is_pkce_syntax(&"a".repeat(128)));
        assert!(!is_pkce_syntax(&"a".repeat(42)), "too short");
        assert!(!is_pkce_syntax(&"a".repeat(129)), "too long");
        assert!(
            !is_pkce_syntax(&format!("{}+", "a".repeat(43))),
            "'+' is not unreserved"
        );
    }

    #[test]
    fn display_host_strips_userinfo_path_and_query() {
        let host = |s: &str| RedirectUri::parse(s).unwrap().display_host().to_owned();
        assert_eq!(host("https://app.example.com/cb?x=1"), "app.example.com");
        assert_eq!(host("http://localhost:8080/callback"), "localhost:8080");
        assert_eq!(host("com.example.app:/oauth"), "com.example.app");
    }

    #[test]
    fn loopback_uris_match_on_any_port_and_nothing_else_is_relaxed() {
        let key = |s: &str| RedirectUri::parse(s).unwrap().match_key();
        assert_eq!(key("http://127.0.0.1:51234/cb"), "http://127.0.0.1/cb");
        assert_eq!(key("http://127.0.0.1/cb"), "http://127.0.0.1/cb");
        assert_eq!(key("http://[::1]:8080/cb?x=1"), "http://[::1]/cb?x=1");
        assert_eq!(key("http://localhost:3000"), "http://localhost");
        for exact in [
            "https://127.0.0.1:8443/cb",
            "http://127.0.0.1.evil.example:80/cb",
            "http://localhost.evil:80/cb",
            "http://LOCALHOST:80/cb",
            "cursor://anysphere.cursor-retrieval/oauth/callback",
        ] {
            assert_eq!(key(exact), exact, "{exact}");
        }
        assert!(RedirectUri::parse("http://localhost:9/cb")
            .unwrap()
            .is_loopback());
        assert!(!RedirectUri::parse("http://localhost.evil/cb")
            .unwrap()
            .is_loopback());
        assert!(!RedirectUri::parse("https://localhost/cb")
            .unwrap()
            .is_loopback());
    }

    #[test]
    fn resource_indicators_are_absolute_without_fragment() {
        assert!(ResourceUri::parse("https://mcp.example.com/mcp").is_some());
        assert!(ResourceUri::parse("urn:example:api").is_some());
        for bad in [
            "/mcp",
            "mcp.example.com",
            "https://a/#x",
            "https://a/ b",
            "",
            "1http://a",
        ] {
            assert!(ResourceUri::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn equivalent_resource_spellings_share_a_key() {
        let key = |s: &str| ResourceUri::parse(s).unwrap().key();
        for (a, b) in [
            ("https://mcp.example.com", "https://mcp.example.com/"),
            ("https://MCP.Example.com/mcp", "https://mcp.example.com/mcp"),
            (
                "HTTPS://mcp.example.com:443/mcp",
                "https://mcp.example.com/mcp",
            ),
            ("http://localhost:80", "http://localhost/"),
            (
                "https://mcp.example.com?x=1",
                "https://mcp.example.com/?x=1",
            ),
            ("https://[::1]:443", "https://[::1]/"),
            ("URN:example:api", "urn:example:api"),
        ] {
            assert_eq!(key(a), key(b), "{a} ~ {b}");
            assert!(ResourceUri::parse(a)
                .unwrap()
                .same_as(&ResourceUri::parse(b).unwrap()));
        }
        for (a, b) in [
            (
                "https://mcp.example.com/mcp",
                "https://mcp.example.com/mcp/",
            ),
            ("https://mcp.example.com/MCP", "https://mcp.example.com/mcp"),
            ("https://mcp.example.com:8443/", "https://mcp.example.com/"),
            ("http://mcp.example.com/", "https://mcp.example.com/"),
            ("https://[::1]:8443", "https://[::1]/"),
            ("urn:example:API", "urn:example:api"),
        ] {
            assert_ne!(key(a), key(b), "{a} !~ {b}");
        }
        assert_eq!(key("https://[::1]:8443"), "https://[::1]:8443/");
    }

    #[test]
    fn newtypes_deserialize_only_through_their_parser() {
        assert!(serde_json::from_str::<RedirectUri>(r#""https://a.example/cb""#).is_ok());
        assert!(serde_json::from_str::<RedirectUri>(r#""https://a.example/\ncb""#).is_err());
        assert!(serde_json::from_str::<ClientId>(r#""a b""#).is_err());
        assert!(serde_json::from_str::<ResourceUri>(r#""/mcp""#).is_err());
        assert!(serde_json::from_str::<State>(r#""""#).is_err());
        let id: ClientId = serde_json::from_str(r#""agpt_client_x""#).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""agpt_client_x""#);
    }

    #[test]
    fn values_are_bounded() {
        assert!(ClientId::parse("agpt_client_x").is_some());
        assert!(ClientId::parse("a b").is_none());
        assert!(ClientId::parse(&"a".repeat(513)).is_none());
        assert!(RedirectUri::parse("https://a/\n").is_none());
        assert!(State::parse(&"s".repeat(2048)).is_some());
        assert!(State::parse(&"s".repeat(2049)).is_none());
        assert!(
            State::parse("").is_none(),
            "empty is absent (RFC 6749 §3.1)"
        );
    }
}
