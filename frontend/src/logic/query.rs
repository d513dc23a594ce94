//! Reading `/auth/authorize?…` into [`AuthorizeParams`] exactly as sent,
//! and the URL encoding the rest of the app needs.

use shared::{AuthorizeParams, AuthorizeProblem};

/// Decodes an `application/x-www-form-urlencoded` query (with or without its
/// leading `?`) into name/value pairs, in order, repeats kept.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .strip_prefix('?')
        .unwrap_or(query)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Percent-decoding with `+` as space. Malformed escapes are kept as written
/// and invalid UTF-8 is replaced, so decoding never fails: the server judges
/// the result.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so the
/// result is safe as a query value (`next=`, a path segment).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The authorization request in a query string, fields verbatim (the server
/// gets exactly what the app sent). A repeated parameter is an error
/// (RFC 6749 §3.1); unknown ones are ignored.
pub fn authorize_params_from_query(query: &str) -> Result<AuthorizeParams, AuthorizeProblem> {
    AuthorizeParams::from_pairs(parse_query(query))
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: &str = "?client_id=agpt_client_abc&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback\
        &scope=EXECUTE_GRAPH%20READ_GRAPH&state=s+1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
        &code_challenge_method=S256&response_type=code&extra=ignored";

    #[test]
    fn reads_every_parameter_verbatim_and_ignores_others() {
        let r = authorize_params_from_query(Q).unwrap();
        assert_eq!(r.client_id.as_deref(), Some("agpt_client_abc"));
        assert_eq!(
            r.redirect_uri.as_deref(),
            Some("http://localhost:8080/callback")
        );
        assert_eq!(r.scope.as_deref(), Some("EXECUTE_GRAPH READ_GRAPH"));
        assert_eq!(r.state.as_deref(), Some("s 1"), "+ is a space in a query");
        assert_eq!(r.code_challenge_method.as_deref(), Some("S256"));
        assert_eq!(r.response_type.as_deref(), Some("code"));
    }

    #[test]
    fn absent_and_empty_parameters_stay_distinct() {
        let r = authorize_params_from_query("client_id=&scope").unwrap();
        assert_eq!(r.client_id.as_deref(), Some(""));
        assert_eq!(r.scope.as_deref(), Some(""));
        assert_eq!(r.state, None);
    }

    #[test]
    fn a_repeated_parameter_is_an_invalid_request() {
        let err = authorize_params_from_query("state=a&state=b").unwrap_err();
        assert_eq!(err, AuthorizeProblem::Repeated("state"));
    }

    #[test]
    fn decoding_never_fails_on_malformed_input() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%C3%A9"), "é");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn encode_round_trips_through_decode() {
        for s in ["/auth/authorize?a=b&c=d e", "ünïcode/&?#%+", ""] {
            assert_eq!(decode(&encode(s)), s);
        }
        assert_eq!(encode("a b/?"), "a%20b%2F%3F");
    }
}

/// The authorization request's `ui_locales`: in this query, or in the
/// authorize URL its `next=` returns to (the sign-in page on the way).
pub fn ui_locales_of(query: &str) -> Option<String> {
    let pairs = parse_query(query);
    let find = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .find(|(k, _)| k == "ui_locales")
            .map(|(_, v)| v.clone())
    };
    find(&pairs).or_else(|| {
        let next = pairs.iter().find(|(k, _)| k == "next")?;
        let (_, inner) = next.1.split_once('?')?;
        find(&parse_query(inner))
    })
}

#[cfg(test)]
mod ui_locales_tests {
    use super::*;

    #[test]
    fn ui_locales_come_from_the_request_or_the_one_being_returned_to() {
        assert_eq!(
            ui_locales_of("client_id=x&ui_locales=de%20en").as_deref(),
            Some("de en")
        );
        assert_eq!(
            ui_locales_of("next=%2Fauth%2Fauthorize%3Fclient_id%3Dx%26ui_locales%3Dde").as_deref(),
            Some("de")
        );
        assert_eq!(ui_locales_of("next=%2Faccount%2Fapps"), None);
        assert_eq!(ui_locales_of(""), None);
    }
}
