//! Client credentials as they arrive (RFC 6749 §2.3.1): HTTP Basic
//! (`client_secret_basic`), body fields (`client_secret_post`), or a public
//! client's bare client_id (`none`). Checking them is the client
//! authentication service's (`authz::service::client_auth`).

use super::extract::non_empty;
use crate::domain::client::ClientAuthRejection;
use crate::error::{ApiError, ApiResult};
use crate::service::client_auth::PresentedClient;
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use shared::ClientSecret;

/// RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
fn form_decode(s: &str) -> Option<String> {
    let s = s.replace('+', " ");
    percent_encoding::percent_decode_str(&s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

fn parse_basic(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

fn refuse(r: ClientAuthRejection, challenge: bool) -> ApiError {
    ApiError::InvalidClient {
        challenge,
        description: r.to_string().into(),
    }
}

/// Reads the client's credentials from the header or the body. Using two
/// methods at once is refused (RFC 6749 §2.3). An empty secret counts as
/// none (client libraries send `id:` in Basic for public clients).
pub fn presented_client(
    headers: &HeaderMap,
    body_client_id: &Option<String>,
    body_secret: Option<ClientSecret>,
) -> ApiResult<PresentedClient> {
    let body_id = non_empty(body_client_id);
    let body_secret = body_secret.filter(|s| !s.secret().is_empty());
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let (id, secret) = auth
            .to_str()
            .ok()
            .and_then(parse_basic)
            .ok_or_else(|| refuse(ClientAuthRejection::MalformedBasic, true))?;
        if body_secret.is_some() {
            return Err(ApiError::invalid_request(
                "Use one client authentication method: HTTP Basic or client_secret in the body, not both.",
            ));
        }
        if body_id.is_some_and(|b| b != id) {
            return Err(ApiError::invalid_request(
                "client_id in the body differs from the one in HTTP Basic.",
            ));
        }
        return Ok(PresentedClient {
            client_id: id,
            secret: Some(ClientSecret::new(secret)).filter(|s| !s.secret().is_empty()),
            basic: true,
        });
    }
    let client_id = body_id
        .ok_or_else(|| refuse(ClientAuthRejection::NoCredentials, true))?
        .to_owned();
    Ok(PresentedClient {
        client_id,
        secret: body_secret,
        basic: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = format!("Basic {}", STANDARD.encode("my%20app:s%3Acret+x"));
        assert_eq!(
            parse_basic(&header),
            Some(("my app".into(), "s:cret x".into()))
        );
        assert_eq!(parse_basic("Bearer abc"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
    }

    #[test]
    fn an_empty_basic_password_is_no_secret() {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode("agpt_client_x:"));
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        let p = presented_client(&headers, &None, None).unwrap();
        assert!(p.basic && p.secret.is_none());
        assert!(matches!(
            presented_client(&HeaderMap::new(), &None, None),
            Err(ApiError::InvalidClient {
                challenge: true,
                ..
            })
        ));
    }
}
