//! Authorization responses (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207): parameters
//! appended to an already-verified registered redirect URI.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986 unreserved characters is encoded, so a space is
/// `%20` (as the seed shows), never `+`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `params` to `registered`, keeping any query it already has
/// (RFC 6749 §3.1.2). Parameters with a `None` value are left out.
pub fn redirect_url(registered: &str, params: &[(&str, Option<&str>)]) -> String {
    let mut url = registered.to_owned();
    let mut sep = match registered.find('?') {
        None => '?',
        Some(_) if registered.ends_with('?') || registered.ends_with('&') => '\0',
        Some(_) => '&',
    };
    for (name, value) in params {
        let Some(value) = value else { continue };
        if sep != '\0' {
            url.push(sep);
        }
        url.push_str(name);
        url.push('=');
        url.extend(utf8_percent_encode(value, QUERY_VALUE));
        sep = '&';
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_to_a_bare_uri_with_percent_twenty_spaces() {
        let url = redirect_url(
            "http://localhost:8080/callback",
            &[
                ("error", Some("access_denied")),
                ("error_description", Some("User denied access")),
                ("state", None),
            ],
        );
        assert_eq!(url, "http://localhost:8080/callback?error=access_denied&error_description=User%20denied%20access");
    }

    #[test]
    fn keeps_an_existing_query_and_echoes_state_verbatim() {
        let url = redirect_url(
            "https://app.example/cb?tenant=7",
            &[("code", Some("c")), ("state", Some("a b&c=d/é"))],
        );
        assert_eq!(
            url,
            "https://app.example/cb?tenant=7&code=c&state=a%20b%26c%3Dd%2F%C3%A9"
        );
        assert_eq!(
            redirect_url("https://a/cb?", &[("code", Some("x"))]),
            "https://a/cb?code=x"
        );
    }
}
