//! Remembered consent, one rule for both sides: the server decides whether
//! a request may skip the screen, and the page runs the same function to
//! know whether to show it (the server checks again).

use crate::api::Registration;
use crate::authorize::AuthorizationRequest;
use crate::protocol::ResourceUri;
use crate::scope::ScopeSet;

/// What a person allowed an app: their consent record, or one approval.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Approval {
    pub scopes: ScopeSet,
    pub resources: Vec<ResourceUri>,
}

impl Approval {
    /// Whether it already covers every scope and resource of a request.
    pub fn covers(&self, scopes: &ScopeSet, resources: &[ResourceUri]) -> bool {
        scopes.is_subset_of(&self.scopes) && resources.iter().all(|r| self.resources.contains(r))
    }

    /// The consent after approving `scopes` and `resources` as well: it
    /// only grows (narrower later grants do not take back earlier ones).
    pub fn extended(
        consent: Option<&Approval>,
        scopes: &ScopeSet,
        resources: &[ResourceUri],
    ) -> Approval {
        let mut all = consent.cloned().unwrap_or_default();
        all.scopes = all.scopes.iter().chain(scopes.iter()).collect();
        for r in resources {
            if !all.resources.contains(r) {
                all.resources.push(r.clone());
            }
        }
        all
    }
}

/// Why a request must show the consent screen even though it may have
/// been allowed before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MustAsk {
    /// The operator turned remembering off (`--remember-consent false`).
    RememberingOff,
    /// The app registered itself or is a metadata document: an unreviewed
    /// app could pose as another, so the person sees the screen every time.
    Unverified,
    /// `prompt=consent`.
    PromptConsent,
    /// Nothing allowed yet, or not all of this.
    NotCovered,
}

/// Whether the request may go on without the screen: the person's consent
/// covers it, the app is verified, the request does not ask for the
/// screen and the operator keeps remembering on.
pub fn may_skip_screen(
    consent: Option<&Approval>,
    request: &AuthorizationRequest,
    registration: Registration,
    remembering: bool,
) -> Result<(), MustAsk> {
    if !remembering {
        return Err(MustAsk::RememberingOff);
    }
    if !registration.is_verified() {
        return Err(MustAsk::Unverified);
    }
    if request.prompt.consent {
        return Err(MustAsk::PromptConsent);
    }
    match consent {
        Some(c) if c.covers(&request.scopes, &request.resources) => Ok(()),
        _ => Err(MustAsk::NotCovered),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorize::{AuthorizeParams, ClientPolicy};
    use crate::scope::Scope;

    fn request(extra: &[(&str, &str)]) -> AuthorizationRequest {
        let mut pairs = vec![
            ("client_id", "agpt_client_x"),
            ("redirect_uri", "https://app.example/cb"),
            ("response_type", "code"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
            ("scope", "READ_GRAPH"),
            ("resource", "https://mcp.example/mcp"),
        ];
        pairs.extend_from_slice(extra);
        let params = AuthorizeParams::from_pairs(
            pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())),
        )
        .unwrap();
        let target = params.target().unwrap();
        let policy = ClientPolicy {
            allowed_scopes: ScopeSet::new([Scope::ReadGraph, Scope::ExecuteGraph]),
            extra_scopes: ScopeSet::default(),
            plain_pkce_allowed: false,
        };
        AuthorizationRequest::parse(&params, &target, &policy).unwrap()
    }

    fn allowed() -> Approval {
        Approval {
            scopes: ScopeSet::new([Scope::ReadGraph]),
            resources: vec![ResourceUri::parse("https://mcp.example/mcp").unwrap()],
        }
    }

    #[test]
    fn only_a_covered_request_of_a_verified_app_skips_the_screen() {
        let op = Registration::Operator;
        let r = request(&[]);
        assert_eq!(may_skip_screen(Some(&allowed()), &r, op, true), Ok(()));
        assert_eq!(
            may_skip_screen(Some(&allowed()), &r, op, false),
            Err(MustAsk::RememberingOff)
        );
        for unverified in [Registration::Dynamic, Registration::MetadataDocument] {
            assert_eq!(
                may_skip_screen(Some(&allowed()), &r, unverified, true),
                Err(MustAsk::Unverified)
            );
        }
        let consent = request(&[("prompt", "consent")]);
        assert_eq!(
            may_skip_screen(Some(&allowed()), &consent, op, true),
            Err(MustAsk::PromptConsent)
        );
        assert_eq!(
            may_skip_screen(None, &r, op, true),
            Err(MustAsk::NotCovered)
        );
        let mut fewer = allowed();
        fewer.resources.clear();
        assert_eq!(
            may_skip_screen(Some(&fewer), &r, op, true),
            Err(MustAsk::NotCovered),
            "a new resource"
        );
    }

    #[test]
    fn a_consent_only_grows() {
        let more = Approval::extended(Some(&allowed()), &ScopeSet::new([Scope::ExecuteGraph]), &[]);
        assert!(more.covers(&ScopeSet::new([Scope::ReadGraph, Scope::ExecuteGraph]), &[]));
        assert_eq!(more.resources, allowed().resources);
        assert_eq!(
            Approval::extended(None, &ScopeSet::default(), &[]),
            Approval::default()
        );
    }
}
