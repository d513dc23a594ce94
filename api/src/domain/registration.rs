//! What a safe app registration needs (RFC 9700 §2.1, §4.1; RFC 8252 §7 for native apps).

use url::Url;

/// Checks one redirect URI for registration: absolute; no fragment
/// (RFC 6749 §3.1.2); no user-info; `https`, or `http` only on a loopback
/// host, or a private-use scheme with a dot (`com.example.app:/cb`, RFC 8252
/// §7.1). Schemes that run code or read files are refused outright.
pub fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let url = Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URI ({e})"))?;
    if uri.contains('#') {
        return Err(format!("{uri:?} must not contain a fragment (#…)"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{uri:?} must not contain user information (user:pass@)"
        ));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{uri:?} must not contain spaces or control characters"
        ));
    }
    match url.scheme() {
        "https" => {
            if url.host_str().is_none_or(str::is_empty) {
                return Err(format!("{uri:?} has no host"));
            }
            Ok(())
        }
        "http" => match url.host_str() {
            Some("localhost" | "127.0.0.1" | "[::1]") => Ok(()),
            _ => Err(format!(
                "{uri:?} uses plain http on a non-loopback host; use https (http is only allowed for localhost, 127.0.0.1 and [::1])"
            )),
        },
        "javascript" | "data" | "file" | "vbscript" | "about" | "blob" | "filesystem" | "ftp" | "ws" | "wss"
        | "mailto" | "tel" => Err(format!("{uri:?}: the {}: scheme is not allowed for redirects", url.scheme())),
        scheme if scheme.contains('.') => Ok(()),
        scheme => Err(format!(
            "{uri:?}: the {scheme}: scheme is not allowed; use https, loopback http, or a reverse-domain private-use scheme such as com.example.app:/callback"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_loopback_and_private_use_schemes() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com/cb?tenant=1",
            "http://localhost:8080/callback",
            "http://127.0.0.1/cb",
            "http://[::1]:9000/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert_eq!(check_redirect_uri(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_unsafe_uris_with_a_reason() {
        for (bad, why) in [
            ("javascript:alert(1)", "scheme"),
            ("data:text/html,hi", "scheme"),
            ("file:///etc/passwd", "scheme"),
            ("http://evil.example/cb", "http"),
            ("https://app.example/cb#frag", "fragment"),
            ("https://user:pw@app.example/cb", "user information"),
            ("/relative/cb", "absolute"),
            ("myapp:/cb", "scheme"),
        ] {
            let err = check_redirect_uri(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
