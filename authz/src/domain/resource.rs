//! Protected resources (RFC 8707, RFC 9728): the services tokens are for.
//! A grant is for the resources the person approved; a token's audience is
//! those, or fewer if the token request names fewer, never more.

use super::Rejection;
use crate::crypto::HashedSecret;
use shared::{AuthorizeProblem, ErrorCode, ResourceUri, ScopeSet};
use std::fmt;

/// A registered resource server.
#[derive(Debug, Clone)]
pub struct Resource {
    /// `agpt_resource_…`: how it authenticates at the introspection endpoint.
    pub protected_resource_id: String,
    pub uri: ResourceUri,
    pub name: String,
    pub secret: HashedSecret,
    /// The scopes it understands (for operators; not enforced).
    pub scopes: ScopeSet,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

impl Resource {
    pub const ID_PREFIX: &'static str = "agpt_resource_";

    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// The most `resource` values one request may carry.
pub const MAX_RESOURCES: usize = ResourceUri::MAX_PER_REQUEST;

/// At authorization (RFC 8707 §2): every requested resource must be a
/// registered, active one (`known` holds those found for the request),
/// in any equivalent spelling. Returns them as registered: what the grant
/// stores and tokens carry as their audience.
pub fn check_requested(
    requested: &[ResourceUri],
    known: &[Resource],
) -> Result<Vec<ResourceUri>, AuthorizeProblem> {
    let mut registered: Vec<ResourceUri> = Vec::with_capacity(requested.len());
    for r in requested {
        let Some(k) = known.iter().find(|k| k.is_active() && k.uri.same_as(r)) else {
            return Err(AuthorizeProblem::InvalidTarget(r.to_string()));
        };
        if !registered.contains(&k.uri) {
            registered.push(k.uri.clone());
        }
    }
    Ok(registered)
}

/// Why a token request's `resource` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetRejection {
    /// Not among the resources the grant is for (RFC 8707 §2.2).
    NotGranted(ResourceUri),
}

impl Rejection for TargetRejection {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidTarget
    }
}

impl fmt::Display for TargetRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetRejection::NotGranted(r) => write!(
                f,
                "resource {r:?} was not authorized for this grant (RFC 8707 §2.2)."
            ),
        }
    }
}

/// The audience of a token: what was granted, or the subset the token
/// request names (in any equivalent spelling; the audience keeps the
/// granted, registered one).
pub fn narrow_audience(
    granted: &[ResourceUri],
    requested: &[ResourceUri],
) -> Result<Vec<ResourceUri>, TargetRejection> {
    if requested.is_empty() {
        return Ok(granted.to_vec());
    }
    let mut audience: Vec<ResourceUri> = Vec::with_capacity(requested.len());
    for r in requested {
        let Some(g) = granted.iter().find(|g| g.same_as(r)) else {
            return Err(TargetRejection::NotGranted(r.clone()));
        };
        if !audience.contains(g) {
            audience.push(g.clone());
        }
    }
    Ok(audience)
}

/// Resource URIs as stored: space-separated (a URI has no spaces).
pub fn resources_text(resources: &[ResourceUri]) -> String {
    resources
        .iter()
        .map(ResourceUri::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stored form read back; anything that is no longer a valid URI is dropped.
pub fn parse_resources(text: &str) -> Vec<ResourceUri> {
    text.split_whitespace()
        .filter_map(ResourceUri::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> ResourceUri {
        ResourceUri::parse(s).unwrap()
    }

    fn resource(s: &str, active: bool) -> Resource {
        Resource {
            protected_resource_id: "agpt_resource_x".into(),
            uri: uri(s),
            name: "R".into(),
            secret: HashedSecret {
                hash: String::new(),
                salt: String::new(),
            },
            scopes: ScopeSet::default(),
            disabled_at: (!active).then_some(1),
            created_at: 0,
        }
    }

    #[test]
    fn only_registered_active_resources_may_be_requested() {
        let known = [
            resource("https://a/mcp", true),
            resource("https://b/mcp", false),
        ];
        assert_eq!(
            check_requested(&[uri("https://a/mcp")], &known),
            Ok(vec![uri("https://a/mcp")])
        );
        assert_eq!(check_requested(&[], &known), Ok(vec![]));
        for bad in ["https://b/mcp", "https://c/mcp", "https://a/mcp/"] {
            let p = check_requested(&[uri("https://a/mcp"), uri(bad)], &known).unwrap_err();
            assert_eq!(p, AuthorizeProblem::InvalidTarget(bad.into()));
            assert!(p.redirects(), "RFC 8707: back to the client");
        }
    }

    #[test]
    fn equivalent_spellings_find_the_registered_resource() {
        let known = [
            resource("https://mcp.example.com", true),
            resource("https://api.example.com/v2/", true),
        ];
        assert_eq!(
            check_requested(
                &[
                    uri("https://mcp.example.com/"),
                    uri("HTTPS://MCP.example.com:443"),
                    uri("https://api.example.com/v2/"),
                ],
                &known
            ),
            Ok(vec![
                uri("https://mcp.example.com"),
                uri("https://api.example.com/v2/")
            ]),
            "as registered, once each"
        );
        assert!(check_requested(&[uri("https://api.example.com/v2")], &known).is_err());
        let granted = [uri("https://mcp.example.com")];
        assert_eq!(
            narrow_audience(&granted, &[uri("https://mcp.example.com/")]),
            Ok(vec![uri("https://mcp.example.com")])
        );
        let granted = [uri("https://mcp.example.com/")];
        assert_eq!(
            narrow_audience(&granted, &[uri("https://mcp.example.com")]),
            Ok(vec![uri("https://mcp.example.com/")])
        );
    }

    #[test]
    fn a_token_may_narrow_its_audience_never_widen_it() {
        let granted = [uri("https://a/mcp"), uri("https://b/api")];
        assert_eq!(narrow_audience(&granted, &[]), Ok(granted.to_vec()));
        assert_eq!(
            narrow_audience(&granted, &[uri("https://b/api")]),
            Ok(vec![uri("https://b/api")])
        );
        assert_eq!(
            narrow_audience(&granted, &[uri("https://c/")]),
            Err(TargetRejection::NotGranted(uri("https://c/")))
        );
        assert_eq!(
            narrow_audience(&[], &[uri("https://a/mcp")]),
            Err(TargetRejection::NotGranted(uri("https://a/mcp"))),
            "a grant without resources cannot gain one"
        );
    }
}
