//! Client authentication (RFC 6749 §2.3.1) for the token, introspection and
//! revocation endpoints, once the edge has read the credentials: clients
//! (confidential with a secret, or public) and resource servers.

use super::{fails_with, limits, Failure};
use crate::crypto::HashedSecret;
use crate::domain::client::{secret_to_verify, Client, ClientAuthRejection};
use crate::domain::limits::Subject;
use crate::domain::resource::Resource;
use crate::state::AppState;
use crate::store::resources;
use shared::{ClientId, ClientSecret};
use std::net::IpAddr;

/// Credentials as presented, before any check.
#[derive(Debug)]
pub struct PresentedClient {
    pub client_id: String,
    pub secret: Option<ClientSecret>,
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

#[derive(Debug, thiserror::Error)]
pub enum ClientAuthError {
    /// `invalid_client` (RFC 6749 §5.2); `basic` says how the credentials came.
    #[error("{rejection}")]
    Refused {
        rejection: ClientAuthRejection,
        basic: bool,
    },
    #[error(transparent)]
    Failure(#[from] Failure),
}

fails_with!(ClientAuthError);

/// Authenticates a client: the app must exist and be active; a confidential
/// client must present its secret; a public client must not claim one.
/// `found` is the stored client with the presented id, read by the caller
/// (often together with what the request is about, in one statement).
pub async fn authenticate_client(
    state: &AppState,
    presented: PresentedClient,
    found: Option<Client>,
    source: IpAddr,
    now: i64,
) -> Result<Client, ClientAuthError> {
    let client = match found.filter(Client::is_active) {
        Some(client) => client,
        None => return Err(unknown(state, &presented, source, now).await),
    };
    let (stored, secret) = match secret_to_verify(&client, presented.secret.as_ref()) {
        Ok(None) => return Ok(client),
        Ok(Some((stored, secret))) => (stored.clone(), secret.clone()),
        Err(rejection) => {
            return Err(ClientAuthError::Refused {
                rejection,
                basic: presented.basic,
            })
        }
    };
    let checked = Checked {
        id: client.client_id.as_str(),
        stored: &stored,
        secret: &secret,
    };
    verify_secret_limited(state, &presented, checked, source, now).await?;
    Ok(client)
}

/// Authenticates a resource server by its id and secret (always
/// confidential), under the same limits and the same one answer for every
/// failure as clients.
pub async fn authenticate_resource(
    state: &AppState,
    presented: PresentedClient,
    source: IpAddr,
    now: i64,
) -> Result<Resource, ClientAuthError> {
    let found = resources::find_by_id(&state.db, &presented.client_id)
        .await?
        .filter(Resource::is_active);
    let (Some(resource), Some(secret)) = (found, presented.secret.as_ref()) else {
        return Err(unknown(state, &presented, source, now).await);
    };
    let checked = Checked {
        id: &resource.protected_resource_id,
        stored: &resource.secret,
        secret,
    };
    verify_secret_limited(state, &presented, checked, source, now).await?;
    Ok(resource)
}

/// A secret to check against its stored hash, for the credential `id`.
struct Checked<'a> {
    id: &'a str,
    stored: &'a HashedSecret,
    secret: &'a ClientSecret,
}

/// The one secret check: a secret this instance verified recently costs one
/// HMAC; otherwise a credential that failed too often is refused before
/// scrypt runs, a success ends its failures, a failure is counted.
async fn verify_secret_limited(
    state: &AppState,
    presented: &PresentedClient,
    c: Checked<'_>,
    source: IpAddr,
    now: i64,
) -> Result<(), ClientAuthError> {
    let verified = &state.verified_secrets;
    if verified.is_verified(c.id, &c.stored.hash, c.secret.secret(), now) {
        return Ok(());
    }
    let subjects = [
        Subject::Client(&presented.client_id, source),
        Subject::ClientSource(source),
    ];
    // Checked, not reserved: one client's parallel first requests are a
    // legitimate burst sharing one scrypt (see `limits::check`).
    limits::check(state, &subjects, now).await?;
    if state.hasher.verify(c.secret.secret(), c.stored).await? {
        // Remembered first: requests of the same burst that arrive while
        // the counts below are written find it.
        verified.remember(c.id, &c.stored.hash, c.secret.secret(), now);
        // The client's failures from this source end.
        limits::clear(state, &subjects[0]).await?;
        Ok(())
    } else {
        tracing::warn!(event = "client_authentication_failed", client_id = %presented.client_id, source = %source, "wrong client secret");
        match limits::reserve(state, &subjects, now).await {
            Ok(counted) => counted.failed(),
            // Full now: this failure already found the limit.
            Err(Failure::Limited { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        Err(failed(presented))
    }
}

/// No such (active) client or resource: counted like a wrong secret, and
/// answered the same.
async fn unknown(
    state: &AppState,
    presented: &PresentedClient,
    source: IpAddr,
    now: i64,
) -> ClientAuthError {
    let subjects = [
        Subject::Client(&presented.client_id, source),
        Subject::ClientSource(source),
    ];
    match limits::reserve(state, &subjects, now).await {
        Ok(reservation) => {
            reservation.failed();
            failed(presented)
        }
        Err(e) => e.into(),
    }
}

fn failed(presented: &PresentedClient) -> ClientAuthError {
    ClientAuthError::Refused {
        rejection: ClientAuthRejection::Failed,
        basic: presented.basic,
    }
}
