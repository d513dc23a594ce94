//! Client authentication for the token, introspection and revocation
//! endpoints (RFC 6749 §2.3.1): HTTP Basic (`client_secret_basic`), body
//! fields (`client_secret_post`), or a public client's bare client_id (`none`).

use super::extract::non_empty;
use super::limits;
use crate::domain::client::{secret_to_verify, Client, ClientAuthRejection};
use crate::domain::limits::Subject;
use crate::domain::resource::Resource;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::resources;
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use shared::{ClientId, ClientSecret};
use std::net::IpAddr;

/// Credentials as presented, before any check.
#[derive(Debug)]
pub struct PresentedClient {
    pub client_id: String,
    secret: Option<ClientSecret>,
    /// Whether they came in an `Authorization: Basic` header (failures then answer 401).
    pub basic: bool,
}

impl PresentedClient {
    /// The client id, if it is one any client can have (otherwise there is
    /// nothing to look up, and authentication fails like for an unknown id).
    pub fn id(&self) -> Option<ClientId> {
        ClientId::parse(&self.client_id)
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

/// Authenticates a client: the app must exist and be active; a confidential
/// client must present its secret; a public client must not claim one.
/// `found` is the stored client with the presented id, read by the caller
/// (often together with what the request is about, in one statement).
///
/// Cost: a secret seen and verified recently costs one HMAC; otherwise, a
/// client that failed too often is refused before scrypt runs.
pub async fn authenticate_client(
    state: &AppState,
    presented: PresentedClient,
    found: Option<Client>,
    source: IpAddr,
    now: i64,
) -> ApiResult<Client> {
    let failed = || refuse(ClientAuthRejection::Failed, presented.basic);
    let subjects = [
        Subject::Client(&presented.client_id),
        Subject::ClientSource(source),
    ];
    let Some(client) = found.filter(Client::is_active) else {
        limits::check(state, &subjects, now).await?;
        limits::record(state, &subjects, now).await?;
        return Err(failed());
    };
    let (stored, secret) = match secret_to_verify(&client, presented.secret.as_ref()) {
        Ok(None) => return Ok(client),
        Ok(Some((stored, secret))) => (stored.clone(), secret.clone()),
        Err(r) => return Err(refuse(r, presented.basic)),
    };
    let id = client.client_id.as_str();
    if state
        .verified_secrets
        .is_verified(id, &stored.hash, secret.secret(), now)
    {
        return Ok(client);
    }
    limits::check(state, &subjects, now).await?;
    if state.hasher.verify(secret.secret(), &stored).await? {
        limits::clear(state, &subjects[0]).await?;
        state
            .verified_secrets
            .remember(id, &stored.hash, secret.secret(), now);
        Ok(client)
    } else {
        tracing::warn!(event = "client_authentication_failed", client_id = %presented.client_id, source = %source, "wrong client secret");
        limits::record(state, &subjects, now).await?;
        Err(failed())
    }
}

/// Authenticates a resource server by its id and secret (always
/// confidential), under the same limits and the same one answer for every
/// failure as clients.
pub async fn authenticate_resource(
    state: &AppState,
    presented: PresentedClient,
    source: IpAddr,
    now: i64,
) -> ApiResult<Resource> {
    let failed = || refuse(ClientAuthRejection::Failed, presented.basic);
    let subjects = [
        Subject::Client(&presented.client_id),
        Subject::ClientSource(source),
    ];
    let found = resources::find_by_id(&state.db, &presented.client_id)
        .await?
        .filter(Resource::is_active);
    let (Some(resource), Some(secret)) = (found, presented.secret.as_ref()) else {
        limits::check(state, &subjects, now).await?;
        limits::record(state, &subjects, now).await?;
        return Err(failed());
    };
    let id = resource.protected_resource_id.as_str();
    let stored = &resource.secret;
    if state
        .verified_secrets
        .is_verified(id, &stored.hash, secret.secret(), now)
    {
        return Ok(resource);
    }
    limits::check(state, &subjects, now).await?;
    if state.hasher.verify(secret.secret(), stored).await? {
        limits::clear(state, &subjects[0]).await?;
        state
            .verified_secrets
            .remember(id, &stored.hash, secret.secret(), now);
        Ok(resource)
    } else {
        tracing::warn!(event = "client_authentication_failed", resource_id = %presented.client_id, source = %source, "wrong resource server secret");
        limits::record(state, &subjects, now).await?;
        Err(failed())
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
