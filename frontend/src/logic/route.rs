//! Which page a path shows (the app has no client-side router).

/// The app's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    Authorize,
    SignIn,
    SignUp,
    Logout,
    SignedOut,
    Apps,
    NotFound,
}

/// The page for `path`, matched exactly (a trailing slash is another path).
pub fn route(path: &str) -> Page {
    match path {
        "/" => Page::Home,
        "/auth/authorize" => Page::Authorize,
        "/auth/login" => Page::SignIn,
        "/auth/signup" => Page::SignUp,
        "/auth/logout" => Page::Logout,
        "/auth/signed-out" => Page::SignedOut,
        "/account/apps" => Page::Apps,
        _ => Page::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_exactly() {
        assert_eq!(route("/auth/authorize"), Page::Authorize);
        assert_eq!(route("/account/apps"), Page::Apps);
        assert_eq!(route("/"), Page::Home);
        for other in ["/auth/authorize/", "/auth", "/AUTH/LOGIN", "/account", ""] {
            assert_eq!(route(other), Page::NotFound, "{other:?}");
        }
    }
}
