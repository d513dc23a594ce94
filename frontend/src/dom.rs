//! The few browser calls the pages make directly.

fn window() -> web_sys::Window {
    web_sys::window().expect("the app only runs in a browser window")
}

/// Sets the tab title, so each screen is announced and bookmarked by name.
pub fn set_title(title: &str) {
    if let Some(doc) = window().document() {
        doc.set_title(&format!("{title} · AutoGPT"));
    }
}

/// The path and query of the current address, exactly as the browser has it
/// (what the sign-in page returns to).
pub fn path_and_query() -> String {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    format!("{path}{search}")
}

/// The path of the current address.
pub fn pathname() -> String {
    window().location().pathname().unwrap_or_default()
}

/// The raw query string of the current address, including its `?`.
pub fn search() -> String {
    window().location().search().unwrap_or_default()
}

/// Leaves the app for `url`, replacing this page in history so Back does not
/// return to a decision already made. Only ever called with a URL the API
/// returned or with one of our own paths.
pub fn leave_to(url: &str) {
    let _ = window().location().replace(url);
}
