//! The Content-Security-Policy of the consent screen's HTML: our own
//! scripts, wasm compilation (`'wasm-unsafe-eval'`, which does not allow JS
//! `eval`), and the exact inline scripts of the `index.html` served, by hash.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The Content-Security-Policy of the app's HTML: our own scripts, wasm
/// compilation (`'wasm-unsafe-eval'`, which does not allow JS `eval`), and
/// the exact inline scripts of this `index.html` by hash (trunk's loader).
pub fn app_csp(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src` attribute.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || loop {
        let start = rest.find("<script")?;
        let after_tag = &rest[start..];
        let open_end = after_tag.find('>')?;
        let attrs = &after_tag[..open_end];
        let body_start = &after_tag[open_end + 1..];
        let close = body_start.find("</script>")?;
        let body = &body_start[..close];
        rest = &body_start[close..];
        if !attrs.contains(" src=") && !body.trim().is_empty() {
            return Some(body);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "<!doctype html><html><head>\
        <script defer src=\"/frontend-0123456789abcdef.js\"></script>\
        <script type=\"module\">wasm_bindgen({ module_or_path: '/x_bg.wasm' });</script>\
        <script src=\"/other.js\"></script></head><body></body></html>";

    #[test]
    fn the_policy_hashes_exactly_the_inline_scripts() {
        let scripts: Vec<&str> = inline_scripts(INDEX).collect();
        assert_eq!(
            scripts,
            vec!["wasm_bindgen({ module_or_path: '/x_bg.wasm' });"]
        );
        let csp = app_csp(INDEX);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(scripts[0]));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("'sha256-").count(), 1);
    }
}
