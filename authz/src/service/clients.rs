//! Clients that describe themselves: named by the URL of their metadata
//! document (draft-ietf-oauth-client-id-metadata-document), fetched,
//! checked and stored before any lookup; or registering dynamically
//! (RFC 7591), limited per source and capped in number.

use super::{fails_with, limits, Failure};
use crate::config::RegistrationMode;
use crate::crypto::{random_token, CLIENT_ID_PREFIX, CLIENT_SECRET_PREFIX};
use crate::domain::cimd::{
    check_document, check_url, host_allowed, is_document_url, CimdRejection,
};
use crate::domain::limits::Subject;
use crate::domain::registration::{
    check_metadata, AuthMethod, ClientMetadata, RegistrationRejection,
};
use crate::state::AppState;
use crate::store::apps::{self, NewClient};
use crate::store::StoreError;
use shared::{ClientId, ClientSecret, Registration};
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

/// What a self-registration counts against: its source, and for IPv6 the
/// /48 around it too (a /48 is one site: its /64s are not strangers).
fn registration_subjects(source: IpAddr) -> Vec<Subject<'static>> {
    let mut subjects = vec![Subject::RegistrationSource(source)];
    if source.to_canonical().is_ipv6() {
        subjects.push(Subject::RegistrationNetwork(source));
    }
    subjects
}

/// A document as fetched: the body and how long it may be used.
#[derive(Debug)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub cache_seconds: i64,
}

/// How metadata documents are fetched (the transport is the edge's, under
/// the SSRF rules: `api::fetch`). `url` passed `check_url` and the host lists.
pub trait FetchDocument: Send + Sync {
    fn fetch<'a>(
        &'a self,
        url: &'a url::Url,
    ) -> Pin<Box<dyn Future<Output = Result<Fetched, CimdRejection>> + Send + 'a>>;
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A metadata document that cannot be used (`invalid_client`).
    #[error("{0}")]
    Document(CimdRejection),
    /// A registration the rules refuse (RFC 7591 §3.2.2).
    #[error("{0}")]
    Registration(RegistrationRejection),
    /// The body is not client metadata at all.
    #[error("The client metadata is not valid JSON of the right shape ({0}).")]
    NotMetadata(String),
    /// The operator turned dynamic registration off.
    #[error("dynamic client registration is off")]
    RegistrationOff,
    /// `--max-dynamic-clients` is reached.
    #[error("self-registration is at its cap")]
    Full,
    #[error(transparent)]
    Failure(#[from] Failure),
}

fails_with!(ClientError);

/// Makes sure a metadata-document client is stored and fresh, so that the
/// ordinary lookups that follow find it. Other client ids pass untouched.
/// A document that cannot be used is never cached: the client stays
/// unknown (or, if it was known, keeps its last good registration only
/// until that expires).
pub async fn resolve(
    state: &AppState,
    client_id: &ClientId,
    source: IpAddr,
    now: i64,
) -> Result<(), ClientError> {
    let id = client_id.as_str();
    if !is_document_url(id) || !state.config.cimd.cimd_enabled {
        return Ok(());
    }
    let stored = apps::find_client(&state.db, client_id).await?;
    if let Some(c) = &stored {
        let fresh = c.metadata_expires_at.is_none_or(|t| t > now);
        if c.registration != Registration::MetadataDocument || fresh {
            return Ok(());
        }
    }
    // Counted before the fetch, taken back if the document is good.
    let subject = [Subject::MetadataSource(source)];
    let fetching = limits::reserve(state, &subject, now).await?;
    if stored.is_none() {
        // A document seen for the first time becomes a client row: as
        // costly as a self-registration, and limited the same way.
        limits::reserve(state, &registration_subjects(source), now)
            .await?
            .failed();
        if apps::count_dynamic(&state.db).await? >= state.config.registration.max_dynamic_clients {
            tracing::warn!(
                event = "registration_full",
                "unvouched clients are at their cap"
            );
            fetching.failed();
            return Err(ClientError::Full);
        }
    }
    match fetch_and_check(state, client_id).await {
        Ok((app, cache_seconds)) => {
            limits::release(state, &subject[0]).await?;
            let app = NewClient {
                metadata_expires_at: Some(now + cache_seconds),
                ..app
            };
            match apps::upsert_metadata_client(&state.db, &app, now).await {
                // Another request stored it first: the same document.
                Ok(()) | Err(StoreError::Duplicate(_)) => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
        Err(r) => {
            // The detail (a private address, say) is for the operator only.
            tracing::info!(event = "client_metadata_refused", client_id = id, reason = ?r, "a client metadata document was refused");
            fetching.failed();
            Err(ClientError::Document(r))
        }
    }
}

/// The document behind `client_id`, as a client to store, and its cache lifetime.
async fn fetch_and_check(
    state: &AppState,
    client_id: &ClientId,
) -> Result<(NewClient, i64), CimdRejection> {
    let id = client_id.as_str();
    let url = check_url(id)?;
    let host = url.host_str().unwrap_or_default();
    let c = &state.config;
    if !host_allowed(host, &c.cimd.cimd_allowed_hosts, &c.cimd.cimd_blocked_hosts) {
        return Err(CimdRejection::HostNotAllowed);
    }
    let fetched = state.fetcher.fetch(&url).await?;
    let doc: ClientMetadata =
        serde_json::from_slice(&fetched.body).map_err(|_| CimdRejection::NotJson)?;
    let accepted = check_document(id, &doc)?;
    let app = NewClient::from_accepted(
        accepted,
        client_id.clone(),
        Registration::MetadataDocument,
        None,
    );
    Ok((app, fetched.cache_seconds))
}

/// A client registered itself: what was stored, and its secret if it has one
/// (shown this once).
pub struct Registered {
    pub client: NewClient,
    pub secret: Option<ClientSecret>,
    pub auth_method: AuthMethod,
}

/// RFC 7591 §3.1–§3.2: registers a client from its metadata (JSON). Every
/// attempt counts against its source, before anything is parsed.
pub async fn register(
    state: &AppState,
    metadata_json: &[u8],
    source: IpAddr,
    now: i64,
) -> Result<Registered, ClientError> {
    if state.config.registration.mode == RegistrationMode::Off {
        return Err(ClientError::RegistrationOff);
    }
    // Every attempt counts, whatever becomes of it.
    limits::reserve(state, &registration_subjects(source), now)
        .await?
        .failed();
    let meta: ClientMetadata = serde_json::from_slice(metadata_json)
        .map_err(|e| ClientError::NotMetadata(e.to_string()))?;
    let accepted = check_metadata(&meta, false).map_err(ClientError::Registration)?;
    if apps::count_dynamic(&state.db).await? >= state.config.registration.max_dynamic_clients {
        tracing::warn!(
            event = "registration_full",
            "self-registration is at its cap"
        );
        return Err(ClientError::Full);
    }
    let auth_method = accepted.auth_method;
    let secret = match auth_method {
        AuthMethod::None => None,
        AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => {
            Some(ClientSecret::new(random_token(CLIENT_SECRET_PREFIX)))
        }
    };
    let hashed = match &secret {
        Some(s) => Some(state.hasher.hash(s.secret().to_owned()).await?),
        None => None,
    };
    let client_id = ClientId::parse(&random_token(CLIENT_ID_PREFIX))
        .ok_or_else(|| Failure::Internal("a generated client id is invalid".into()))?;
    let client = NewClient::from_accepted(accepted, client_id, Registration::Dynamic, hashed);
    apps::insert_client(&state.db, &client, now).await?;
    tracing::info!(event = "client_registered", client_id = %client.client_id, source = %source, "a client registered itself");
    Ok(Registered {
        client,
        secret,
        auth_method,
    })
}
