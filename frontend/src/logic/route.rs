//! Which page a path shows. The app has four pages and every move between
//! them is a full page load (links, or `location.replace` after a form), so a
//! plain match replaces a client-side router; that keeps the download well
//! inside its budget (see `scripts/e2e.sh`, which prints the gzip size).
//! The server's list of app routes is in `api/src/http/frontend.rs`.

use super::next::AuthMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Home,
    Authorize,
    Auth(AuthMode),
    NotFound,
}

impl Route {
    /// The page for a URL path (`location.pathname`); one trailing slash is
    /// forgiven.
    pub fn from_path(path: &str) -> Route {
        let path = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        match path {
            "/" => Route::Home,
            "/auth/authorize" => Route::Authorize,
            "/auth/login" => Route::Auth(AuthMode::SignIn),
            "/auth/signup" => Route::Auth(AuthMode::SignUp),
            _ => Route::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_pages() {
        let cases = [
            ("/", Route::Home),
            ("/auth/authorize", Route::Authorize),
            ("/auth/authorize/", Route::Authorize),
            ("/auth/login", Route::Auth(AuthMode::SignIn)),
            ("/auth/signup", Route::Auth(AuthMode::SignUp)),
            ("/auth/authorize/x", Route::NotFound),
            ("/auth", Route::NotFound),
            ("/AUTH/LOGIN", Route::NotFound),
            ("", Route::NotFound),
        ];
        for (path, route) in cases {
            assert_eq!(Route::from_path(path), route, "{path:?}");
        }
    }
}
