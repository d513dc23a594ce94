//! Every word the screens show, in English and German: one catalogue, each
//! English string next to its German one. `{app}`, `{name}` and `{email}`
//! are filled in by the page. The seed's error-table titles are the English
//! ones, word for word.
//!
//! The language is chosen once per page load (see [`pick`]); switching
//! stores the choice and reloads, so no view has to re-render its words.

use std::sync::atomic::{AtomicBool, Ordering};

/// The languages of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and the stored choice.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language of a BCP 47 tag (`de-AT` is German), if we have it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &EN,
            Lang::De => &DE,
        }
    }
}

/// The language of this page: the person's own choice (the switch), else
/// the request's `ui_locales` (space-separated, in order of preference,
/// OpenID Connect Core §3.1.2.1), else the browser's languages, else English.
pub fn pick(choice: Option<&str>, ui_locales: Option<&str>, browser: &[String]) -> Lang {
    choice
        .and_then(Lang::from_tag)
        .or_else(|| ui_locales.and_then(|l| l.split_ascii_whitespace().find_map(Lang::from_tag)))
        .or_else(|| browser.iter().find_map(|l| Lang::from_tag(l)))
        .unwrap_or(Lang::En)
}

static GERMAN: AtomicBool = AtomicBool::new(false);

/// Sets the language of this page load (once, before anything renders).
pub fn set_lang(lang: Lang) {
    GERMAN.store(lang == Lang::De, Ordering::Relaxed);
}

pub fn lang() -> Lang {
    if GERMAN.load(Ordering::Relaxed) {
        Lang::De
    } else {
        Lang::En
    }
}

/// The words of this page load.
pub fn t() -> &'static Text {
    lang().text()
}

/// The words before and after `{key}` in `template`, for a placeholder
/// that is shown as markup (a name in bold).
pub fn around<'a>(template: &'a str, key: &str) -> (&'a str, &'a str) {
    template.split_once(key).unwrap_or((template, ""))
}

/// `template` with `{key}` replaced by `value`.
pub fn fill(template: &str, key: &str, value: &str) -> String {
    template.replace(key, value)
}

macro_rules! catalogue {
    ($($name:ident: $en:expr, $de:expr;)*) => {
        /// One language's words.
        pub struct Text {
            $(pub $name: &'static str,)*
        }
        pub static EN: Text = Text { $($name: $en,)* };
        pub static DE: Text = Text { $($name: $de,)* };

        #[cfg(test)]
        impl Text {
            fn all(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($name), self.$name),)*]
            }
        }
    };
}

catalogue! {
    // The frame of every screen.
    footer: "AutoGPT authorization server · Your password is never shared with applications.",
        "AutoGPT-Autorisierungsserver · Ihr Passwort wird nie an Anwendungen weitergegeben.";
    language: "Language", "Sprache";
    close_window: "You can close this window.", "Sie können dieses Fenster schließen.";
    loading: "Loading…", "Wird geladen…";
    loading_app: "Loading application…", "Anwendung wird geladen…";
    redirecting: "Redirecting…", "Weiterleitung…";
    continuing: "Continuing to {app}…", "Weiter zu {app}…";
    retry: "Retry", "Erneut versuchen";
    back_to_app: "Return to the app", "Zurück zur App";

    // The consent screen.
    authorize_title: "Authorize", "Autorisieren";
    authorize_app_title: "Authorize {app}", "{app} autorisieren";
    requesting: "This application is requesting permission to:",
        "Diese Anwendung bittet um die Erlaubnis:";
    already_allowed: "Already allowed", "Bereits erlaubt";
    new_scope: "New", "Neu";
    keep_one: "Keep at least one permission ticked, or deny.",
        "Lassen Sie mindestens eine Berechtigung angehakt, oder lehnen Sie ab.";
    signed_in_as: "Signed in as", "Angemeldet als";
    switch_account: "Not you? Switch account", "Nicht Sie? Konto wechseln";
    connected_apps_link: "Connected apps", "Verbundene Apps";
    sent_to: "You'll be sent to", "Sie werden weitergeleitet zu";
    for_services: "For", "Für";
    authorize: "Authorize", "Autorisieren";
    authorizing: "Authorizing…", "Wird autorisiert…";
    deny: "Deny", "Ablehnen";
    denying: "Denying…", "Wird abgelehnt…";
    nothing_granted_retry: "Nothing was granted. Please try again.",
        "Es wurde nichts erlaubt. Bitte versuchen Sie es erneut.";
    consent_note: "Authorizing lets {app} use your AutoGPT account with the permissions above, until you revoke its access. It never sees your password.",
        "Wenn Sie autorisieren, darf {app} Ihr AutoGPT-Konto mit den obigen Berechtigungen nutzen, bis Sie den Zugriff entziehen. Ihr Passwort sieht die Anwendung nie.";
    unverified_title: "Unverified app", "Nicht überprüfte App";
    unverified_text: "AutoGPT has not reviewed this app. Only continue if you trust it and you started this sign-in yourself.",
        "AutoGPT hat diese App nicht überprüft. Fahren Sie nur fort, wenn Sie ihr vertrauen und diese Anmeldung selbst begonnen haben.";
    described_by: "Its name and logo come from {host}, not from AutoGPT.",
        "Name und Logo stammen von {host}, nicht von AutoGPT.";
    on_device: "This app runs on your device: it receives the result on this computer.",
        "Diese App läuft auf Ihrem Gerät: Sie erhält das Ergebnis auf diesem Computer.";

    // Sign-in and sign-up.
    sign_in: "Sign in", "Anmelden";
    signing_in: "Signing in…", "Anmeldung läuft…";
    create_title: "Create your account", "Konto erstellen";
    create_account: "Create account", "Konto erstellen";
    creating_account: "Creating account…", "Konto wird erstellt…";
    to_continue: "to continue to your AutoGPT account", "um mit Ihrem AutoGPT-Konto fortzufahren";
    email: "Email", "E-Mail";
    password: "Password", "Passwort";
    password_hint: "At least 8 characters.", "Mindestens 8 Zeichen.";
    new_here: "New here?", "Neu hier?";
    create_link: "Create an account", "Konto erstellen";
    have_account: "Already have an account?", "Sie haben schon ein Konto?";
    signup_closed: "Creating new accounts is turned off on this server.",
        "Auf diesem Server können keine neuen Konten erstellt werden.";
    wrong_password: "Incorrect email or password.", "E-Mail oder Passwort ist falsch.";

    // The start page and signing out.
    account_title: "Account", "Konto";
    signed_in_title: "You're signed in", "Sie sind angemeldet";
    apps_send_you_here: "Applications that use AutoGPT will send you here to approve their access.",
        "Anwendungen, die AutoGPT nutzen, schicken Sie hierher, damit Sie ihren Zugriff erlauben.";
    sign_out: "Sign out", "Abmelden";
    sign_out_title: "Sign out of AutoGPT?", "Von AutoGPT abmelden?";
    sign_out_asked: "An application asked to sign you out of your AutoGPT account in this browser.",
        "Eine Anwendung hat darum gebeten, Sie in diesem Browser von Ihrem AutoGPT-Konto abzumelden.";
    stay_signed_in: "Stay signed in", "Angemeldet bleiben";
    signed_out_page: "Signed out", "Abgemeldet";
    signed_out_title: "You're signed out", "Sie sind abgemeldet";
    signed_out_text: "You are no longer signed in to AutoGPT in this browser.",
        "Sie sind in diesem Browser nicht mehr bei AutoGPT angemeldet.";

    // Connected apps.
    apps_title: "Connected apps", "Verbundene Apps";
    apps_loading: "Loading your apps…", "Ihre Apps werden geladen…";
    apps_intro: "These apps can use your AutoGPT account. Removing an app's access ends it at once; it must ask you again to get it back.",
        "Diese Apps können Ihr AutoGPT-Konto nutzen. Wenn Sie einer App den Zugriff entziehen, endet er sofort; sie muss Sie erneut fragen, um ihn zurückzubekommen.";
    no_apps: "No app has access to your account.", "Keine App hat Zugriff auf Ihr Konto.";
    allowed_since: "Allowed since", "Erlaubt seit";
    last_used: "Last used", "Zuletzt genutzt";
    not_yet: "Not yet", "Noch nicht";
    remove_access: "Remove access", "Zugriff entziehen";
    confirm_removal: "Confirm removal", "Entziehen bestätigen";
    remove_question: "Remove access for {app}? Its tokens stop working at once.",
        "Zugriff für {app} entziehen? Ihre Tokens funktionieren sofort nicht mehr.";
    cancel: "Cancel", "Abbrechen";
    removed: "Access removed for {app}.", "Zugriff für {app} entzogen.";
    verified_app: "Verified by AutoGPT", "Von AutoGPT überprüft";
    self_registered: "Unverified: registered itself", "Nicht überprüft: hat sich selbst registriert";
    self_described: "Unverified: described by its own website",
        "Nicht überprüft: von der eigenen Website beschrieben";
    sessions_title: "Your sessions", "Ihre Sitzungen";
    sessions_text: "Signs you out of AutoGPT in every browser, this one included.",
        "Meldet Sie in jedem Browser von AutoGPT ab, auch in diesem.";
    sign_out_everywhere: "Sign out everywhere", "Überall abmelden";

    // Error screens (titles as the seed's error table has them).
    title_invalid_request: "Invalid Request", "Ungültige Anfrage";
    title_app_not_found: "Application Not Found", "Anwendung nicht gefunden";
    title_invalid_redirect: "Invalid Redirect URI", "Ungültige Weiterleitungsadresse";
    title_invalid_scopes: "Invalid Scopes", "Ungültige Berechtigungen";
    title_refused: "Request Refused", "Anfrage abgelehnt";
    title_unavailable: "Something Went Wrong", "Etwas ist schiefgelaufen";
    title_not_found: "Page Not Found", "Seite nicht gefunden";
    explain_invalid_request: "The application that sent you here made an authorization request we can't process. Please contact its developer.",
        "Die Anwendung, die Sie hierher geschickt hat, hat eine Anfrage gestellt, die wir nicht verarbeiten können. Bitte wenden Sie sich an ihre Entwickler.";
    explain_app_not_found: "The application that sent you here is not registered, or has been disabled. No access was granted.",
        "Die Anwendung, die Sie hierher geschickt hat, ist nicht registriert oder wurde deaktiviert. Es wurde kein Zugriff erlaubt.";
    explain_invalid_redirect: "The application asked us to send you to an address it has not registered. For your safety we won't send you there. No access was granted.",
        "Die Anwendung wollte Sie an eine Adresse schicken, die sie nicht registriert hat. Zu Ihrer Sicherheit leiten wir Sie nicht dorthin. Es wurde kein Zugriff erlaubt.";
    explain_invalid_scopes: "The application asked for permissions it is not allowed to request. No access was granted. Please contact its developer.",
        "Die Anwendung hat Berechtigungen verlangt, die sie nicht anfordern darf. Es wurde kein Zugriff erlaubt. Bitte wenden Sie sich an ihre Entwickler.";
    explain_refused: "This request did not come from this site, so it was refused. Open the link from the application again.",
        "Diese Anfrage kam nicht von dieser Website und wurde deshalb abgelehnt. Öffnen Sie den Link der Anwendung erneut.";
    explain_unavailable: "We couldn't reach the authorization server, or it failed to answer. Nothing was granted. Please try again.",
        "Der Autorisierungsserver war nicht erreichbar oder hat nicht geantwortet. Es wurde nichts erlaubt. Bitte versuchen Sie es erneut.";
    explain_not_found: "There is no page at this address.", "Unter dieser Adresse gibt es keine Seite.";
    start_page: "Go to the start page", "Zur Startseite";
    no_answer: "The server did not answer.", "Der Server hat nicht geantwortet.";
    unreadable: "The server's answer could not be read.", "Die Antwort des Servers war nicht lesbar.";
    status_answer: "The server answered with status {status}.", "Der Server antwortete mit Status {status}.";
    network_down: "We couldn't reach the server. Check your connection and try again.",
        "Der Server war nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.";
    bad_answer: "The server sent an answer we couldn't read. Please try again.",
        "Der Server hat eine unlesbare Antwort geschickt. Bitte versuchen Sie es erneut.";
    too_many: "Too many attempts. Wait a moment and try again.",
        "Zu viele Versuche. Warten Sie einen Moment und versuchen Sie es erneut.";
    our_side: "Something went wrong on our side. Please try again.",
        "Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_say_everything_with_the_same_placeholders() {
        for ((name, en), (_, de)) in EN.all().into_iter().zip(DE.all()) {
            assert!(!en.trim().is_empty() && !de.trim().is_empty(), "{name}");
            for key in ["{app}", "{host}", "{status}"] {
                assert_eq!(en.contains(key), de.contains(key), "{name}: {key}");
            }
        }
    }

    #[test]
    fn the_seeds_error_titles_keep_their_english_words() {
        assert_eq!(EN.title_invalid_request, "Invalid Request");
        assert_eq!(EN.title_app_not_found, "Application Not Found");
        assert_eq!(EN.title_invalid_redirect, "Invalid Redirect URI");
        assert_eq!(EN.title_invalid_scopes, "Invalid Scopes");
        assert_eq!(fill(EN.continuing, "{app}", "X"), "Continuing to X…");
    }

    #[test]
    fn the_choice_then_ui_locales_then_the_browser_decide() {
        let browser = ["fr-FR".to_owned(), "de-CH".to_owned(), "en".to_owned()];
        assert_eq!(
            pick(None, None, &browser),
            Lang::De,
            "first known browser language"
        );
        assert_eq!(pick(None, Some("fr en"), &browser), Lang::En);
        assert_eq!(pick(None, Some("ja DE-at"), &[]), Lang::De);
        assert_eq!(
            pick(Some("en"), Some("de"), &browser),
            Lang::En,
            "the switch wins"
        );
        assert_eq!(pick(Some("xx"), Some("xx"), &[]), Lang::En);
        assert_eq!(Lang::from_tag("de_DE"), Some(Lang::De));
        assert_eq!(Lang::from_tag(""), None);
    }
}
