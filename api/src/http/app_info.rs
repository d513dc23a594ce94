//! What the consent screen shows about an app.

use super::caller::{ClientAddr, MaybeUser};
use super::extract::{ApiPath, ListQuery, Now, Wording};
use crate::domain::authorize::{can_be_remembered, verify_client};
use crate::domain::resource::MAX_RESOURCES;
use crate::domain::wording::{open_scopes, scope_info};
use crate::error::{ApiError, ApiResult};
use crate::service::clients;
use crate::state::AppState;
use crate::store::{apps, consents, resources};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use shared::{
    AppInfo, AppInfoQuery, AuthorizeProblem, ClientId, RedirectUri, Registration, ResourceInfo,
    ResourceUri,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/app/{client_id}", get(get_app))
}

fn not_found() -> ApiError {
    ApiError::NotFound("No active application has this client_id.".into())
}

/// The public face of an active app (the seed's `GET /api/oauth/app/{client_id}`);
/// with `?redirect_uri=`, also the RFC 6749 §4.1.2.1 check of that URI; with
/// `?resource=` (repeated), the names of the registered resources among them.
async fn get_app(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(source): ClientAddr,
    ApiPath(client_id): ApiPath<String>,
    MaybeUser(user): MaybeUser,
    ListQuery(query): ListQuery<AppInfoQuery>,
    Wording(locale): Wording,
) -> ApiResult<Json<AppInfo>> {
    let client_id = ClientId::parse(&client_id).ok_or_else(not_found)?;
    clients::resolve(&state, &client_id, source, now).await?;
    let redirect_uri = match query.redirect_uri.as_deref().filter(|u| !u.is_empty()) {
        None => None,
        Some(u) => Some(RedirectUri::parse(u).ok_or(AuthorizeProblem::MalformedRedirectUri)?),
    };
    let found = match &redirect_uri {
        Some(uri) => apps::find_client_for_redirect(&state.db, &client_id, uri).await?,
        None => apps::find_client(&state.db, &client_id)
            .await?
            .map(|c| (c, true)),
    };
    let registered = found.as_ref().is_some_and(|(_, r)| *r);
    // The same verification as the decision endpoint; here an unknown client
    // is a missing resource (the seed's 404).
    let client = verify_client(found.map(|(c, _)| c), registered).map_err(|p| match p {
        AuthorizeProblem::UnknownClient => not_found(),
        other => other.into(),
    })?;
    if query.resource.len() > MAX_RESOURCES {
        return Err(ApiError::invalid_request(format!(
            "At most {MAX_RESOURCES} resource parameters may be given."
        )));
    }
    let requested: Vec<ResourceUri> = query
        .resource
        .iter()
        .filter_map(|r| ResourceUri::parse(r))
        .collect();
    let known = resources::find_by_uris(&state.db, &requested).await?;
    let redirect_uris = apps::redirect_uris(&state.db, &client.oauth_app_id).await?;
    let policy = client.policy(state.config.tokens.pkce_plain_enabled);
    // What the person allowed before, so the screen can mark what is new.
    let consent = match &user {
        Some(me) => consents::find(&state.db, &me.user_id, &client.oauth_app_id).await?,
        None => None,
    }
    .unwrap_or_default()
    .approval;
    Ok(Json(AppInfo {
        granted_scopes: consent
            .scopes
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        granted_resources: consent
            .resources
            .iter()
            .filter_map(|r| ResourceUri::parse(&as_asked(r, &requested)))
            .collect(),
        remembers: state.config.tokens.remember_consent
            && client.registration.is_verified()
            && can_be_remembered(&client, &redirect_uris),
        client_host: (client.registration == Registration::MetadataDocument)
            .then(|| url::Url::parse(client.client_id.as_str()).ok())
            .flatten()
            .and_then(|u| u.host_str().map(str::to_owned)),
        runs_on_device: !redirect_uris.is_empty()
            && redirect_uris
                .iter()
                .filter_map(|u| RedirectUri::parse(u))
                .all(|u| u.is_loopback()),
        resources: known
            .into_iter()
            .filter(|r| r.is_active())
            .map(|r| ResourceInfo {
                uri: as_asked(&r.uri, &requested),
                name: r.name,
            })
            .collect(),
        registration: client.registration,
        client_id: client.client_id.to_string(),
        name: client.name,
        description: client.description,
        logo_url: client.logo_url,
        scopes: client
            .allowed_scopes
            .iter()
            .map(|s| scope_info(s, locale))
            .collect(),
        open_scopes: open_scopes(&policy.extra_scopes, locale),
        plain_pkce_allowed: policy.plain_pkce_allowed,
    }))
}

/// A registered resource in the spelling the request used for it (it may
/// say `https://host/` for `https://host`): the page matches the request's
/// resources to these by their text, so the rule of equivalence stays here
/// and out of the download.
fn as_asked(registered: &ResourceUri, requested: &[ResourceUri]) -> String {
    requested
        .iter()
        .find(|r| r.same_as(registered))
        .unwrap_or(registered)
        .to_string()
}
