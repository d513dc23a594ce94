//! Where the sign-in page may send the person afterwards.
//!
//! `next=` comes from the address bar, so anyone can craft it. Only a path on
//! our own origin is accepted; anything else would make the sign-in page an
//! open redirect (RFC 9700 §4.11).

use super::query::encode;

/// Where to go after signing in when `next` is absent or unsafe.
pub const DEFAULT_NEXT: &str = "/";

/// `raw` if it is a same-origin path: starts with exactly one `/`, and has no
/// backslash or control character (browsers read `/\evil` and `/\t/evil` as
/// `//evil`, another host).
pub fn safe_next(raw: Option<&str>) -> Option<&str> {
    let s = raw?;
    let ok = s.starts_with('/')
        && !s.starts_with("//")
        && s.len() <= 4096
        && !s.chars().any(|c| c == '\\' || c.is_control());
    ok.then_some(s)
}

/// `safe_next` or the default.
pub fn next_or_default(raw: Option<&str>) -> &str {
    safe_next(raw).unwrap_or(DEFAULT_NEXT)
}

/// Which of the two forms the sign-in page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    SignIn,
    SignUp,
}

impl AuthMode {
    pub fn path(self) -> &'static str {
        match self {
            AuthMode::SignIn => "/auth/login",
            AuthMode::SignUp => "/auth/signup",
        }
    }
}

/// The sign-in (or sign-up) page's address that returns to `next` afterwards.
/// `next` is dropped if unsafe, so a link we build is always a safe one.
pub fn auth_href(mode: AuthMode, next: Option<&str>) -> String {
    auth_href_with_hint(mode, next, None)
}

/// The same, with the email the form starts with (OpenID Connect `login_hint`).
pub fn auth_href_with_hint(mode: AuthMode, next: Option<&str>, login_hint: Option<&str>) -> String {
    let mut href = match safe_next(next) {
        Some(n) if n != DEFAULT_NEXT => format!("{}?next={}", mode.path(), encode(n)),
        _ => mode.path().to_owned(),
    };
    if let Some(hint) = login_hint
        .map(str::trim)
        .filter(|h| !h.is_empty() && h.len() <= 254)
    {
        href.push(if href.contains('?') { '&' } else { '?' });
        href.push_str("login_hint=");
        href.push_str(&encode(hint));
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::query::parse_query;

    #[test]
    fn a_login_hint_rides_along() {
        assert_eq!(
            auth_href_with_hint(
                AuthMode::SignIn,
                Some("/auth/authorize?x=1"),
                Some(" ada@example.com ")
            ),
            "/auth/login?next=%2Fauth%2Fauthorize%3Fx%3D1&login_hint=ada%40example.com"
        );
        assert_eq!(
            auth_href_with_hint(AuthMode::SignIn, None, Some("a@b")),
            "/auth/login?login_hint=a%40b"
        );
        assert_eq!(
            auth_href_with_hint(AuthMode::SignIn, None, Some("  ")),
            "/auth/login"
        );
    }

    #[test]
    fn only_same_origin_paths_are_accepted() {
        let cases = [
            (
                Some("/auth/authorize?client_id=x&state=y"),
                true,
                "an app path",
            ),
            (Some("/"), true, "the root"),
            (None, false, "absent"),
            (Some(""), false, "empty"),
            (Some("https://evil.example/"), false, "absolute URL"),
            (Some("//evil.example/"), false, "protocol-relative"),
            (
                Some("/\\evil.example"),
                false,
                "backslash is read as a slash",
            ),
            (
                Some("/\t/evil.example"),
                false,
                "tabs are stripped by URL parsers",
            ),
            (Some("javascript:alert(1)"), false, "script URL"),
            (Some("auth/login"), false, "relative path"),
        ];
        for (raw, ok, why) in cases {
            assert_eq!(safe_next(raw).is_some(), ok, "{why}: {raw:?}");
        }
        assert_eq!(next_or_default(Some("//evil")), "/");
    }

    #[test]
    fn auth_href_round_trips_the_authorize_url() {
        let authorize = "/auth/authorize?client_id=a&scope=READ_GRAPH%20EXECUTE_GRAPH&state=x%26y";
        let href = auth_href(AuthMode::SignIn, Some(authorize));
        assert!(href.starts_with("/auth/login?next="));
        let query = href.split_once('?').unwrap().1;
        assert_eq!(parse_query(query), vec![("next".into(), authorize.into())]);
    }

    #[test]
    fn auth_href_drops_unsafe_or_default_targets() {
        assert_eq!(auth_href(AuthMode::SignUp, Some("//evil")), "/auth/signup");
        assert_eq!(auth_href(AuthMode::SignIn, Some("/")), "/auth/login");
        assert_eq!(auth_href(AuthMode::SignIn, None), "/auth/login");
    }
}
