//! `list-scopes`: the scope catalogue as the server offers it, numbered as
//! `generate-app --scopes` reads it.

use crate::Outcome;
use authz::domain::wording::{words, Locale};
use serde_json::json;
use shared::Scope;

pub fn list_scopes(as_json: bool) -> Outcome {
    if as_json {
        let list: Vec<_> = Scope::PLATFORM
            .iter()
            .map(|s| {
                json!({
                    "name": s.as_str(),
                    "title": {"en": words(*s, Locale::En), "de": words(*s, Locale::De)},
                    "description": null,
                    "deprecated": s.is_deprecated(),
                    "replaced_by": s.replaced_by().map(Scope::as_str),
                    "implies": [],
                })
            })
            .collect();
        println!("{}", serde_json::Value::from(list));
        return Outcome::Success;
    }
    for (i, s) in Scope::PLATFORM.iter().enumerate() {
        let mark = match (s.is_deprecated(), s.replaced_by()) {
            (false, _) => String::new(),
            (true, Some(new)) => format!("  (deprecated: {new} replaces it)"),
            (true, None) => "  (deprecated)".to_owned(),
        };
        println!("{:>2}. {:<20} {}{mark}", i + 1, s.as_str(), s.description());
    }
    println!("Every app may also ask for: openid, profile, email, offline_access.");
    Outcome::Success
}
