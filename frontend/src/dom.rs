//! The few browser calls the pages make directly.

/// Sets the tab title, so each screen is announced and bookmarked by name.
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{title} · AutoGPT"));
    }
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
