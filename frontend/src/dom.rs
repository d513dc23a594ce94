//! The few browser calls the pages make directly.

/// The path the page was loaded at.
pub fn path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

/// The query string the page was loaded with, without its `?`, exactly as
/// the browser has it (still percent-encoded).
pub fn query() -> String {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    search.strip_prefix('?').unwrap_or(&search).to_owned()
}

/// Sets the tab title, so each screen is announced and bookmarked by name.
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{title} · AutoGPT"));
    }
}

/// Remembers, for this tab, that the person is sent to sign in again for
/// the authorization request `query` (`prompt=login`, an old `max_age`).
pub fn remember_fresh_sign_in(query: &str) {
    if let Some(s) = session_storage() {
        let _ = s.set_item(FRESH_SIGN_IN, query);
    }
}

/// Whether the person has just signed in again for exactly `query`
/// (forgotten once asked: it counts once).
pub fn take_fresh_sign_in(query: &str) -> bool {
    let Some(s) = session_storage() else {
        return false;
    };
    let marked = s.get_item(FRESH_SIGN_IN).ok().flatten();
    let _ = s.remove_item(FRESH_SIGN_IN);
    marked.as_deref() == Some(query)
}

const FRESH_SIGN_IN: &str = "agpt.fresh-sign-in";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Goes to `url` with a full page load, replacing this page in history so
/// Back does not return to a decision already made. Only ever called with a
/// `redirect_url` the API returned, or with one of our own paths that
/// `logic::next` built or accepted.
///
/// Moves that carry the authorize URL (to sign-in and back) are page loads
/// rather than router navigations on purpose: the browser keeps the query
/// byte for byte, and the app must return to the exact URL it was sent to.
pub fn leave_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(url);
    }
}

const LANGUAGE_CHOICE: &str = "agpt.lang";

/// Chooses this page load's language (see `logic::text::pick`) and says
/// it in `<html lang>`.
pub fn init_language() {
    use crate::logic::text::{pick, set_lang};
    let Some(window) = web_sys::window() else {
        return;
    };
    let choice = window
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(LANGUAGE_CHOICE).ok().flatten());
    let browser: Vec<String> = window
        .navigator()
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    let ui_locales = crate::logic::query::ui_locales_of(&query());
    let lang = pick(choice.as_deref(), ui_locales.as_deref(), &browser);
    set_lang(lang);
    if let Some(html) = window.document().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", lang.code());
    }
}

/// The person picked a language: kept for next time, and the page loads
/// again in it.
pub fn choose_language(lang: crate::logic::text::Lang) {
    if let Some(window) = web_sys::window() {
        if let Some(s) = window.local_storage().ok().flatten() {
            let _ = s.set_item(LANGUAGE_CHOICE, lang.code());
        }
        let _ = window.location().reload();
    }
}
