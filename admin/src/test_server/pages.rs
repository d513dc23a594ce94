//! The test server's pages: one askama template each, in admin/templates/,
//! all on base.html. Values are escaped by the templates, never by hand.

use super::api::{Answer, Verified};
use super::handlers::Tokens;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::fmt;

/// The sign-in button, and what its link asks for.
#[derive(Template)]
#[template(path = "home.html")]
pub(super) struct HomePage<'a> {
    pub(super) title: &'a str,
    pub(super) client_id: &'a str,
    pub(super) href: &'a str,
    pub(super) endpoint: &'a str,
    pub(super) redirect_uri: &'a str,
    pub(super) scopes: &'a str,
    pub(super) state: &'a str,
    pub(super) challenge: &'a str,
    pub(super) nonce: Option<&'a str>,
}

/// The sign-in link could not be made.
#[derive(Template)]
#[template(path = "error.html")]
pub(super) struct ErrorPage<'a> {
    pub(super) title: &'a str,
    pub(super) message: String,
}

/// A callback that brought no code to exchange.
#[derive(Template)]
#[template(path = "callback.html")]
pub(super) struct CallbackPage<'a> {
    pub(super) title: &'a str,
    pub(super) problem: CallbackProblem<'a>,
}

pub(super) enum CallbackProblem<'a> {
    StateMismatch,
    Refused {
        error: &'a str,
        description: &'a str,
    },
    NoCode,
}

/// New tokens, from the code exchange or a refresh.
#[derive(Template)]
#[template(path = "signed_in.html")]
pub(super) struct SignedInPage<'a> {
    pub(super) title: &'a str,
    pub(super) token_type: &'a str,
    pub(super) expires_in: i64,
    /// OpenID Connect mode only.
    pub(super) identity: Option<Identity>,
    pub(super) tokens: &'a Tokens,
}

pub(super) enum Identity {
    /// The token response carried no ID Token.
    Missing,
    Checked {
        compact: String,
        verdict: Result<Verified, String>,
        userinfo: Answer,
    },
}

/// What the API answered to a button (or to a failed token request).
#[derive(Template)]
#[template(path = "result.html")]
pub(super) struct ResultPage<'a> {
    pub(super) title: &'a str,
    pub(super) heading: &'a str,
    pub(super) answer: &'a Answer,
    /// The tokens to go on with; none after a failed code exchange.
    pub(super) tokens: Option<&'a Tokens>,
}

/// A whole page, with the headers every page gets.
pub(super) fn respond(status: StatusCode, page: impl Template) -> Response {
    let mut res = match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the page could not be rendered: {e}"),
        )
            .into_response(),
    };
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        ),
    );
    // The callback URL carries the code: keep it out of Referer headers.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The escaper of every `.html` template in this crate (admin/askama.toml).
/// askama's own writes numeric references (`&#34;`); these pages have always
/// used the named ones, which read better in the page source and which
/// scripts reading the pages (the CLI tests among them) look for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NamedEntities;

impl askama::filters::Escaper for NamedEntities {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        let mut last = 0;
        for (i, c) in s.char_indices() {
            let entity = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&s[last..i])?;
            dest.write_str(entity)?;
            last = i + 1;
        }
        dest.write_str(&s[last..])
    }
}

mod filters {
    use serde_json::Value;

    /// JSON as the API sent it, indented for reading.
    #[askama::filter_fn]
    pub fn pretty(value: &Value, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(serde_json::to_string_pretty(value).unwrap_or_default())
    }

    /// A Unix time as UTC.
    #[askama::filter_fn]
    pub fn when(unix: &i64, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::manage::when(*unix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::filters::Escaper;

    #[test]
    fn escaping_covers_markup_and_attributes() {
        let mut out = String::new();
        NamedEntities
            .write_escaped_str(&mut out, r#"<a href="x">'&'</a>"#)
            .unwrap();
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn the_pages_use_the_named_entities() {
        let page = ErrorPage {
            title: "<T>",
            message: r#"a "quoted" & 'single' <b>"#.into(),
        }
        .render()
        .unwrap();
        assert!(page.contains("<title>&lt;T&gt;</title>"), "{page}");
        assert!(
            page.contains("a &quot;quoted&quot; &amp; &#39;single&#39; &lt;b&gt;"),
            "{page}"
        );
    }

    #[test]
    fn a_refused_sign_in_shows_the_servers_words_as_text() {
        let page = CallbackPage {
            title: "Authorization refused",
            problem: CallbackProblem::Refused {
                error: "access_denied",
                description: "<script>alert(1)</script>",
            },
        }
        .render()
        .unwrap();
        assert!(
            page.contains(
                "<p class=\"bad\"><code>access_denied</code>: &lt;script&gt;alert(1)&lt;/script&gt;</p>"
            ),
            "{page}"
        );
        assert!(page.contains("<a href=\"/\">Start again</a>"), "{page}");
    }

    #[test]
    fn a_failed_code_exchange_offers_to_start_again() {
        let answer: Answer = Err("cannot reach http://localhost:1/api/oauth/token".into());
        let page = ResultPage {
            title: "Token exchange failed",
            heading: "Token exchange",
            answer: &answer,
            tokens: None,
        }
        .render()
        .unwrap();
        assert!(
            page.contains("<p class=\"bad\">cannot reach http://localhost:1/api/oauth/token</p>"),
            "{page}"
        );
        assert!(!page.contains("id=\"tokens\""), "{page}");
        assert!(page.contains("<a href=\"/\">Start again</a>"), "{page}");
    }
}
