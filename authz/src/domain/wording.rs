//! Scope wording in the person's language: the consent screen and the
//! connected-apps page show the server's words, never their own (one
//! source of truth; the page's download carries no scope strings).

use shared::{Scope, ScopeInfo, ScopeSet};

/// The languages scopes are worded in (the consent screen's two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    De,
}

impl Locale {
    /// The language of a BCP 47 tag (`de-AT` is German), if we have it.
    fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_', ';']).next()?.trim();
        if primary.eq_ignore_ascii_case("de") {
            Some(Locale::De)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// `ui_locales` (space-separated, in order of preference, OpenID Connect
    /// Core §3.1.2.1; the page sends its own language so), else the
    /// `Accept-Language` header in its order, else English.
    pub fn pick(ui_locales: Option<&str>, accept_language: Option<&str>) -> Locale {
        ui_locales
            .and_then(|l| l.split_ascii_whitespace().find_map(Locale::from_tag))
            .or_else(|| accept_language.and_then(|h| h.split(',').find_map(Locale::from_tag)))
            .unwrap_or_default()
    }
}

/// A scope's name and what it allows, in `locale`; a deprecated one says
/// so, with what replaces it (the screen shows the server's words as they are).
pub fn scope_info(scope: Scope, locale: Locale) -> ScopeInfo {
    let words = words(scope, locale);
    let description = match (scope.is_deprecated(), scope.replaced_by(), locale) {
        (false, _, _) => words.to_owned(),
        (true, Some(new), Locale::En) => format!("{words} (Deprecated: {new} replaces it)"),
        (true, None, Locale::En) => format!("{words} (Deprecated)"),
        (true, Some(new), Locale::De) => format!("{words} (Veraltet: ersetzt durch {new})"),
        (true, None, Locale::De) => format!("{words} (Veraltet)"),
    };
    ScopeInfo {
        name: scope.as_str().to_owned(),
        description,
    }
}

/// What a scope allows, in `locale`, without any mark.
pub fn words(scope: Scope, locale: Locale) -> &'static str {
    match locale {
        Locale::En => scope.description(),
        Locale::De => german(scope),
    }
}

/// The scopes an app may ask for without having registered them, worded:
/// the identity scopes and `offline_access` for every app, and its
/// policy's extra scopes (the screen shows them in these words).
pub fn open_scopes(extra: &ScopeSet, locale: Locale) -> Vec<ScopeInfo> {
    Scope::ALL
        .into_iter()
        .filter(|s| s.is_identity() || extra.contains(*s))
        .map(|s| scope_info(s, locale))
        .collect()
}

fn german(scope: Scope) -> &'static str {
    match scope {
        Scope::ExecuteGraph => "Agenten/Graphen ausführen",
        Scope::ReadGraph => "Agenten-/Graph-Definitionen und Ausführungsergebnisse lesen",
        Scope::ExecuteBlock => "Einzelne Blöcke ausführen",
        Scope::ReadBlock => "Block-Definitionen lesen",
        Scope::ReadStore => "Auf den Agenten-Store zugreifen",
        Scope::UseTools => "Plattform-Werkzeuge verwenden",
        Scope::ManageIntegrations => "Integrationen anlegen und ändern",
        Scope::ReadIntegrations => "Status der Integrationen lesen",
        Scope::DeleteIntegrations => "Integrationen entfernen",
        Scope::Identity => "Die grundlegende Identität Ihres AutoGPT-Kontos sehen",
        Scope::WriteGraph => "Agenten/Graphen anlegen und ändern",
        Scope::ReadLibrary => "Die Agenten in Ihrer Bibliothek sehen",
        Scope::WriteLibrary => "Agenten in Ihrer Bibliothek hinzufügen, ändern und entfernen",
        Scope::RunAgent => "Agenten ausführen",
        Scope::ReadRun => "Agentenläufe und ihre Ergebnisse sehen",
        Scope::WriteRun => "Agentenläufe anhalten und löschen",
        Scope::ShareRun => "Agentenläufe mit anderen teilen",
        Scope::ReadRunReview => "Schritte von Läufen sehen, die auf Ihre Prüfung warten",
        Scope::WriteRunReview => "Schritte von Läufen in Ihrem Namen freigeben oder ablehnen",
        Scope::ReadSchedule => "Geplante Agentenläufe sehen",
        Scope::WriteSchedule => "Geplante Agentenläufe anlegen und entfernen",
        Scope::ReadFiles => "Ihre Dateien auf der Plattform lesen",
        Scope::WriteFiles => "Ihre Dateien auf der Plattform hochladen und löschen",
        Scope::WriteStore => "Agenten in Ihrem Namen im Store veröffentlichen und aktualisieren",
        Scope::ReadCredits => "Ihr Guthaben und Ihren Verbrauch sehen",
        Scope::OpenId => "Wissen, dass Sie es sind (eine Konto-ID, die sonst nichts verrät)",
        Scope::Profile => "Ihren Namen und Benutzernamen sehen",
        Scope::Email => "Ihre E-Mail-Adresse sehen",
        Scope::OfflineAccess => "Zugriff behalten, auch wenn Sie sie nicht nutzen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_locales_then_accept_language_then_english() {
        assert_eq!(Locale::pick(Some("de"), None), Locale::De);
        assert_eq!(Locale::pick(Some("fr DE-at"), Some("en")), Locale::De);
        assert_eq!(
            Locale::pick(Some("en"), Some("de")),
            Locale::En,
            "the page's own choice wins"
        );
        assert_eq!(
            Locale::pick(None, Some("fr-CH, de;q=0.8, en;q=0.5")),
            Locale::De
        );
        assert_eq!(Locale::pick(Some("ja"), Some("fr")), Locale::En);
        assert_eq!(Locale::pick(None, None), Locale::En);
    }

    #[test]
    fn every_scope_has_words_in_both_languages() {
        for scope in Scope::ALL {
            for locale in [Locale::En, Locale::De] {
                let info = scope_info(scope, locale);
                assert_eq!(info.name, scope.as_str());
                assert!(!info.description.trim().is_empty(), "{scope} {locale:?}");
            }
            assert_ne!(
                scope_info(scope, Locale::En).description,
                scope_info(scope, Locale::De).description,
                "{scope}"
            );
        }
        let open: Vec<String> = open_scopes(&ScopeSet::default(), Locale::De)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(open, ["openid", "profile", "email", "offline_access"]);
        let extra = ScopeSet::new([Scope::RunAgent]);
        assert_eq!(open_scopes(&extra, Locale::En)[0].name, "RUN_AGENT");
    }
}
