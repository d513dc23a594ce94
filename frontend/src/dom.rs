//! The few browser calls the pages make directly.

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
