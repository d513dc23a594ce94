//! Client authentication for the token, introspection and revocation
//! endpoints (RFC 6749 §2.3.1): HTTP Basic (`client_secret_basic`), body
//! fields (`client_secret_post`), or a public client's bare client_id (`none`).

use super::extract::non_empty;
use crate::crypto::verify_secret_blocking;
use crate::error::{ApiError, ApiResult};
use crate::store::apps::{self, AppRow};
use crate::AppState;
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Credentials as presented, before any check.
pub struct PresentedClient {
    pub client_id: String,
    secret: Option<String>,
    /// Whether they came in an `Authorization: Basic` header (failures then answer 401).
    pub basic: bool,
}

impl std::fmt::Debug for PresentedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresentedClient")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("basic", &self.basic)
            .finish()
    }
}

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

/// Reads the client's credentials from the header or the body. Using two
/// methods at once is refused (RFC 6749 §2.3).
pub fn presented_client(
    headers: &HeaderMap,
    body_client_id: &Option<String>,
    body_secret: &Option<String>,
) -> ApiResult<PresentedClient> {
    let body_id = non_empty(body_client_id);
    let body_secret = non_empty(body_secret);
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let (id, secret) =
            auth.to_str()
                .ok()
                .and_then(parse_basic)
                .ok_or_else(|| ApiError::InvalidClient {
                    basic: true,
                    description:
                        "The Authorization header is not valid HTTP Basic client authentication."
                            .into(),
                })?;
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
            secret: Some(secret),
            basic: true,
        });
    }
    let client_id = body_id
        .ok_or_else(|| ApiError::InvalidClient {
            basic: false,
            description:
                "Client authentication is required (HTTP Basic or client_id + client_secret)."
                    .into(),
        })?
        .to_owned();
    Ok(PresentedClient {
        client_id,
        secret: body_secret.map(str::to_owned),
        basic: false,
    })
}

/// Authenticates a client: the app must exist and be active; a confidential
/// client must present its secret; a public client must not claim one.
///
/// Cost: a secret seen and verified recently costs one HMAC; otherwise, a
/// client that failed too often is refused before scrypt runs.
pub async fn authenticate_client(
    state: &AppState,
    presented: PresentedClient,
) -> ApiResult<AppRow> {
    let now = state.now();
    let invalid = |description: &str| ApiError::InvalidClient {
        basic: presented.basic,
        description: description.into(),
    };
    let key = format!("client:{}", presented.client_id);
    let app = apps::find_active_app(&state.db, &presented.client_id).await?;
    let Some(app) = app else {
        state
            .limiter
            .check(&key, now)
            .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
        state.limiter.record_failure(&key, now);
        return Err(invalid("Client authentication failed."));
    };
    let (stored, secret) = match (&app.secret, &presented.secret) {
        (None, None) => return Ok(app),
        (None, Some(_)) => {
            return Err(invalid(
                "This is a public client; it has no secret to present.",
            ))
        }
        (Some(_), None) => {
            return Err(invalid(
                "Client authentication is required for this client.",
            ))
        }
        (Some(stored), Some(secret)) => (stored.clone(), secret.clone()),
    };
    if state
        .verified_secrets
        .is_verified(&app.client_id, &stored.hash, &secret, now)
    {
        return Ok(app);
    }
    state
        .limiter
        .check(&key, now)
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let stored_hash = stored.hash.clone();
    if verify_secret_blocking(secret.clone(), stored).await {
        state.limiter.reset(&key);
        state
            .verified_secrets
            .remember(&app.client_id, &stored_hash, &secret, now);
        Ok(app)
    } else {
        state.limiter.record_failure(&key, now);
        Err(invalid("Client authentication failed."))
    }
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
}
