//! The scope catalogue, defined once for both sides: AutoGPT's permissions
//! (the seed's nine first, then the rest of the platform's v2 permissions),
//! OpenID Connect's identity scopes and `offline_access`. Compiled in for
//! now; the server words them (`authz::domain::wording`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One permission a third-party app can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Scope {
    ExecuteGraph,
    ReadGraph,
    ExecuteBlock,
    ReadBlock,
    ReadStore,
    UseTools,
    ManageIntegrations,
    ReadIntegrations,
    DeleteIntegrations,
    Identity,
    WriteGraph,
    ReadLibrary,
    WriteLibrary,
    RunAgent,
    ReadRun,
    WriteRun,
    ShareRun,
    ReadRunReview,
    WriteRunReview,
    ReadSchedule,
    WriteSchedule,
    ReadFiles,
    WriteFiles,
    WriteStore,
    ReadCredits,
    /// OpenID Connect Core §3.1.2.1: the request is for an ID Token.
    OpenId,
    /// OpenID Connect Core §5.4: name, preferred_username, updated_at.
    Profile,
    /// OpenID Connect Core §5.4: email, email_verified.
    Email,
    /// OpenID Connect Core §11: access while the person is away (a refresh
    /// token). Accepted and shown; refresh tokens are issued either way.
    OfflineAccess,
}

impl Scope {
    /// Every scope: the platform's, then the identity scopes.
    pub const ALL: [Scope; 29] = {
        // PLATFORM, then the scopes every client may ask for: one list each.
        let open = [
            Scope::OpenId,
            Scope::Profile,
            Scope::Email,
            Scope::OfflineAccess,
        ];
        let mut all = [Scope::OpenId; 29];
        let mut i = 0;
        while i < Scope::PLATFORM.len() {
            all[i] = Scope::PLATFORM[i];
            i += 1;
        }
        while i < all.len() {
            all[i] = open[i - Scope::PLATFORM.len()];
            i += 1;
        }
        all
    };

    /// OpenID Connect's scopes: about who the person is, not what the app
    /// may do. Every client may ask for them; none registers them.
    pub const IDENTITY: [Scope; 3] = [Scope::OpenId, Scope::Profile, Scope::Email];

    /// Whether every client may ask for this scope without registering it:
    /// the identity scopes, and `offline_access` (OpenID Connect Core §11),
    /// which clients add on their own (and which grants nothing more here).
    pub const fn is_identity(self) -> bool {
        matches!(
            self,
            Scope::OpenId | Scope::Profile | Scope::Email | Scope::OfflineAccess
        )
    }

    /// The platform's scopes: the seed's nine in the seed's order (the CLI
    /// numbers them from 1 in this order, so `1,2` stays EXECUTE_GRAPH
    /// READ_GRAPH), then the rest of AutoGPT's v2 permissions.
    pub const PLATFORM: [Scope; 25] = [
        Scope::ExecuteGraph,
        Scope::ReadGraph,
        Scope::ExecuteBlock,
        Scope::ReadBlock,
        Scope::ReadStore,
        Scope::UseTools,
        Scope::ManageIntegrations,
        Scope::ReadIntegrations,
        Scope::DeleteIntegrations,
        Scope::Identity,
        Scope::WriteGraph,
        Scope::ReadLibrary,
        Scope::WriteLibrary,
        Scope::RunAgent,
        Scope::ReadRun,
        Scope::WriteRun,
        Scope::ShareRun,
        Scope::ReadRunReview,
        Scope::WriteRunReview,
        Scope::ReadSchedule,
        Scope::WriteSchedule,
        Scope::ReadFiles,
        Scope::WriteFiles,
        Scope::WriteStore,
        Scope::ReadCredits,
    ];

    /// v1 permissions the platform keeps only for old keys: offered, marked.
    pub const fn is_deprecated(self) -> bool {
        matches!(self, Scope::ExecuteGraph | Scope::ExecuteBlock)
    }

    /// What replaces a deprecated scope, if anything (it grants nothing).
    pub const fn replaced_by(self) -> Option<Scope> {
        match self {
            Scope::ExecuteGraph => Some(Scope::RunAgent),
            _ => None,
        }
    }

    /// The wire name, e.g. `EXECUTE_GRAPH`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::ExecuteGraph => "EXECUTE_GRAPH",
            Scope::ReadGraph => "READ_GRAPH",
            Scope::ExecuteBlock => "EXECUTE_BLOCK",
            Scope::ReadBlock => "READ_BLOCK",
            Scope::ReadStore => "READ_STORE",
            Scope::UseTools => "USE_TOOLS",
            Scope::ManageIntegrations => "MANAGE_INTEGRATIONS",
            Scope::ReadIntegrations => "READ_INTEGRATIONS",
            Scope::DeleteIntegrations => "DELETE_INTEGRATIONS",
            Scope::Identity => "IDENTITY",
            Scope::WriteGraph => "WRITE_GRAPH",
            Scope::ReadLibrary => "READ_LIBRARY",
            Scope::WriteLibrary => "WRITE_LIBRARY",
            Scope::RunAgent => "RUN_AGENT",
            Scope::ReadRun => "READ_RUN",
            Scope::WriteRun => "WRITE_RUN",
            Scope::ShareRun => "SHARE_RUN",
            Scope::ReadRunReview => "READ_RUN_REVIEW",
            Scope::WriteRunReview => "WRITE_RUN_REVIEW",
            Scope::ReadSchedule => "READ_SCHEDULE",
            Scope::WriteSchedule => "WRITE_SCHEDULE",
            Scope::ReadFiles => "READ_FILES",
            Scope::WriteFiles => "WRITE_FILES",
            Scope::WriteStore => "WRITE_STORE",
            Scope::ReadCredits => "READ_CREDITS",
            Scope::OpenId => "openid",
            Scope::Profile => "profile",
            Scope::Email => "email",
            Scope::OfflineAccess => "offline_access",
        }
    }

    /// What the person approving the app reads on the consent screen.
    pub const fn description(self) -> &'static str {
        match self {
            Scope::ExecuteGraph => "Execute agents/graphs",
            Scope::ReadGraph => "Read agent/graph definitions and execution results",
            Scope::ExecuteBlock => "Execute individual blocks",
            Scope::ReadBlock => "Read block definitions",
            Scope::ReadStore => "Access the agent store",
            Scope::UseTools => "Use platform tools",
            Scope::ManageIntegrations => "Create and update user integrations",
            Scope::ReadIntegrations => "Read user integration status",
            Scope::DeleteIntegrations => "Remove user integrations",
            Scope::Identity => "See your AutoGPT account's basic identity",
            Scope::WriteGraph => "Create and change agents/graphs",
            Scope::ReadLibrary => "See the agents in your library",
            Scope::WriteLibrary => "Add, change and remove agents in your library",
            Scope::RunAgent => "Run agents",
            Scope::ReadRun => "See agent runs and their results",
            Scope::WriteRun => "Stop and delete agent runs",
            Scope::ShareRun => "Share agent runs with others",
            Scope::ReadRunReview => "See the steps of runs that wait for your review",
            Scope::WriteRunReview => "Approve or reject steps of runs on your behalf",
            Scope::ReadSchedule => "See scheduled agent runs",
            Scope::WriteSchedule => "Create and remove scheduled agent runs",
            Scope::ReadFiles => "Read your files on the platform",
            Scope::WriteFiles => "Upload and delete your files on the platform",
            Scope::WriteStore => "Publish and update agents in the store under your name",
            Scope::ReadCredits => "See your credit balance and usage",
            Scope::OpenId => "Know it is you (an account id that tells it nothing else)",
            Scope::Profile => "See your name and username",
            Scope::Email => "See your email address",
            Scope::OfflineAccess => "Keep access while you are not using it",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = UnknownScopes;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| UnknownScopes(vec![s.to_owned()]))
    }
}

impl TryFrom<String> for Scope {
    type Error = UnknownScopes;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Scope> for String {
    fn from(s: Scope) -> String {
        s.as_str().to_owned()
    }
}

/// Scope names that are not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope(s): {}", .0.join(", "))]
pub struct UnknownScopes(pub Vec<String>);

/// A set of scopes without duplicates, kept in the order they were first
/// named: a client that asked for `b a` is answered `b a` (clients such as
/// VS Code compare the token response's `scope` as a string). Equality is
/// set equality, whatever the order.
#[derive(Debug, Clone, Default, Eq)]
pub struct ScopeSet(Vec<Scope>);

impl PartialEq for ScopeSet {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.is_subset_of(other)
    }
}

impl ScopeSet {
    pub fn new(scopes: impl IntoIterator<Item = Scope>) -> Self {
        let mut v: Vec<Scope> = Vec::new();
        for s in scopes {
            if !v.contains(&s) {
                v.push(s);
            }
        }
        ScopeSet(v)
    }

    /// Parses a space-separated list (RFC 6749 §3.3; also how the database
    /// stores scopes). Tolerates repeated whitespace; reports every unknown
    /// name, not just the first.
    pub fn parse(s: &str) -> Result<Self, UnknownScopes> {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for name in s
            .split(|c: char| c.is_ascii_whitespace())
            .filter(|n| !n.is_empty())
        {
            match name.parse::<Scope>() {
                Ok(scope) => known.push(scope),
                Err(_) => unknown.push(name.to_owned()),
            }
        }
        if unknown.is_empty() {
            Ok(ScopeSet::new(known))
        } else {
            Err(UnknownScopes(unknown))
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// True when every scope of `self` is also in `other`.
    pub fn is_subset_of(&self, other: &ScopeSet) -> bool {
        self.0.iter().all(|s| other.contains(*s))
    }

    /// The scopes of `self` that `allowed` does not contain.
    pub fn not_in(&self, allowed: &ScopeSet) -> Vec<Scope> {
        self.0
            .iter()
            .copied()
            .filter(|s| !allowed.contains(*s))
            .collect()
    }

    /// Space-separated, as on the wire and in the database.
    pub fn to_space_separated(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_space_separated())
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<T: IntoIterator<Item = Scope>>(iter: T) -> Self {
        ScopeSet::new(iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_round_trips_through_its_name() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
            assert!(!scope.description().is_empty());
        }
    }

    #[test]
    fn parse_dedups_keeps_the_order_and_reports_all_unknown_names() {
        let set = ScopeSet::parse("  READ_GRAPH EXECUTE_GRAPH\tREAD_GRAPH ").unwrap();
        assert_eq!(set.to_space_separated(), "READ_GRAPH EXECUTE_GRAPH");
        assert_eq!(set, ScopeSet::parse("EXECUTE_GRAPH READ_GRAPH").unwrap());
        assert_ne!(set, ScopeSet::parse("EXECUTE_GRAPH").unwrap());
        let err = ScopeSet::parse("READ_GRAPH bogus read_graph").unwrap_err();
        assert_eq!(err.0, vec!["bogus".to_owned(), "read_graph".to_owned()]);
    }

    #[test]
    fn subset_and_difference() {
        let allowed = ScopeSet::parse("EXECUTE_GRAPH READ_GRAPH").unwrap();
        let asked = ScopeSet::parse("READ_GRAPH USE_TOOLS").unwrap();
        assert!(!asked.is_subset_of(&allowed));
        assert_eq!(asked.not_in(&allowed), vec![Scope::UseTools]);
        assert!(ScopeSet::parse("READ_GRAPH")
            .unwrap()
            .is_subset_of(&allowed));
    }
}
