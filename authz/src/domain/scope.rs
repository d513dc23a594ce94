//! Scope on refresh (RFC 6749 §6): a token request may narrow what was
//! granted, never widen it.

use super::Rejection;
use shared::{ErrorCode, ScopeSet};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRejection {
    /// The request names a scope the grant does not include.
    Widening,
}

impl Rejection for ScopeRejection {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidScope
    }
}

impl fmt::Display for ScopeRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeRejection::Widening => {
                f.write_str("The requested scope exceeds the scope originally granted.")
            }
        }
    }
}

/// The scope of the access token to issue: what was granted, or the narrower
/// set the request names.
pub fn narrow(
    granted: &ScopeSet,
    requested: Option<&ScopeSet>,
) -> Result<ScopeSet, ScopeRejection> {
    match requested {
        None => Ok(granted.clone()),
        Some(r) if !r.is_empty() && r.is_subset_of(granted) => Ok(r.clone()),
        Some(_) => Err(ScopeRejection::Widening),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> ScopeSet {
        ScopeSet::parse(s).unwrap()
    }

    #[test]
    fn narrowing_is_allowed_widening_is_not() {
        let granted = set("READ_GRAPH EXECUTE_GRAPH");
        assert_eq!(narrow(&granted, None), Ok(granted.clone()));
        assert_eq!(
            narrow(&granted, Some(&set("READ_GRAPH"))),
            Ok(set("READ_GRAPH"))
        );
        assert_eq!(narrow(&granted, Some(&granted)), Ok(granted.clone()));
        assert_eq!(
            narrow(&granted, Some(&set("READ_GRAPH USE_TOOLS"))),
            Err(ScopeRejection::Widening)
        );
        assert_eq!(
            narrow(&granted, Some(&set(""))),
            Err(ScopeRejection::Widening)
        );
    }
}
