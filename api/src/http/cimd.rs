//! Clients named by the URL of their metadata document
//! (draft-ietf-oauth-client-id-metadata-document): before any lookup of an
//! https `client_id`, its document is fetched (if not cached and fresh),
//! checked, and stored as the client's registration.

use super::limits;
use crate::crypto::random_id;
use crate::domain::cimd::{
    check_document, check_url, host_allowed, is_document_url, CimdRejection,
};
use crate::domain::limits::Subject;
use crate::domain::registration::ClientMetadata;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::apps::{self, NewClient};
use crate::store::StoreError;
use shared::{ClientId, Registration};
use std::net::IpAddr;

/// Makes sure a metadata-document client is stored and fresh, so that the
/// ordinary lookups that follow find it. Other client ids pass untouched.
/// A document that cannot be used is never cached: the client stays
/// unknown (or, if it was known, keeps its last good registration only
/// until that expires).
pub async fn resolve_client(
    state: &AppState,
    client_id: &ClientId,
    source: IpAddr,
    now: i64,
) -> ApiResult<()> {
    let id = client_id.as_str();
    if !is_document_url(id) || !state.config.cimd_enabled {
        return Ok(());
    }
    let stored = apps::find_client(&state.db, client_id).await?;
    if let Some(c) = &stored {
        let fresh = c.metadata_expires_at.is_none_or(|t| t > now);
        if c.registration != Registration::MetadataDocument || fresh {
            return Ok(());
        }
    }
    let subject = [Subject::MetadataSource(source)];
    limits::check(state, &subject, now).await?;
    if stored.is_none() {
        // A document seen for the first time becomes a client row: as
        // costly as a self-registration, and limited the same way.
        let registering = [Subject::RegistrationSource(source)];
        limits::check(state, &registering, now).await?;
        limits::record(state, &registering, now).await?;
    }
    match fetch_and_check(state, id).await {
        Ok(app) => {
            let app = NewClient {
                metadata_expires_at: Some(now + app.1),
                ..app.0
            };
            match apps::upsert_metadata_client(&state.db, &app, now).await {
                // Another request stored it first: the same document.
                Ok(()) | Err(StoreError::Duplicate(_)) => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
        Err(r) => {
            tracing::info!(event = "client_metadata_refused", client_id = id, reason = %r, "a client metadata document was refused");
            limits::record(state, &subject, now).await?;
            Err(ApiError::InvalidClient {
                challenge: false,
                description: r.to_string().into(),
            })
        }
    }
}

/// The document behind `url`, as a client to store, and its cache lifetime.
async fn fetch_and_check(state: &AppState, id: &str) -> Result<(NewClient, i64), CimdRejection> {
    let url = check_url(id)?;
    let host = url.host_str().unwrap_or_default();
    let c = &state.config;
    if !host_allowed(host, &c.cimd_allowed_hosts, &c.cimd_blocked_hosts) {
        return Err(CimdRejection::HostNotAllowed);
    }
    let fetched = state.fetcher.fetch(&url).await?;
    let doc: ClientMetadata =
        serde_json::from_slice(&fetched.body).map_err(|_| CimdRejection::NotJson)?;
    let accepted = check_document(id, &doc)?;
    let client_id = ClientId::parse(id).ok_or(CimdRejection::BadUrl("it is too long"))?;
    let app = NewClient {
        oauth_app_id: random_id(),
        client_id,
        secret: None,
        name: accepted.name.unwrap_or_else(|| host.to_owned()),
        description: String::new(),
        logo_url: accepted.logo_uri,
        redirect_uris: accepted.redirect_uris,
        allowed_scopes: accepted.scopes,
        grant_types: accepted.grant_types,
        owner_id: None,
        registration: Registration::MetadataDocument,
        client_uri: accepted.client_uri,
        policy_uri: accepted.policy_uri,
        tos_uri: accepted.tos_uri,
        application_type: Some(accepted.application_type),
        metadata_expires_at: None,
        post_logout_redirect_uris: accepted.post_logout_redirect_uris,
        id_token_alg: accepted.id_token_alg,
    };
    Ok((app, fetched.cache_seconds))
}
