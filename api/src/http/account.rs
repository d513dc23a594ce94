//! The person's own account: the apps with access to it (and removing
//! that access), and signing out of every browser at once.

use super::cookie::end_session;
use super::extract::{ApiPath, CurrentUser, Now, SameOrigin};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{apps, consents, resources, sessions};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use shared::{ClientId, ConnectedApp, ConnectedApps, ScopeInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/account/apps", get(list_apps))
        .route("/api/account/apps/{client_id}", delete(delete_app))
        .route("/api/account/sign-out-everywhere", post(delete_sessions))
}

/// Every app the person allowed, with what and since when.
async fn list_apps(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> ApiResult<Json<ConnectedApps>> {
    let rows = consents::list_for_user(&state.db, &me.user_id).await?;
    let uris: Vec<_> = rows
        .iter()
        .flat_map(|r| r.approval.resources.iter().cloned())
        .collect();
    let known = resources::find_by_uris(&state.db, &uris).await?;
    let name_of = |uri: &shared::ResourceUri| {
        known
            .iter()
            .find(|k| &k.uri == uri)
            .map_or_else(|| uri.to_string(), |k| k.name.clone())
    };
    let apps = rows
        .into_iter()
        .map(|r| ConnectedApp {
            client_id: r.client.client_id.to_string(),
            name: r.client.name,
            logo_url: r.client.logo_url,
            registration: r.client.registration,
            scopes: r.approval.scopes.iter().map(ScopeInfo::from).collect(),
            resources: r.approval.resources.iter().map(name_of).collect(),
            granted_at: r.created_at,
            updated_at: r.updated_at,
            last_used_at: r.last_used_at,
        })
        .collect();
    Ok(Json(ConnectedApps { apps }))
}

fn no_such_app() -> ApiError {
    ApiError::NotFound("This app has no access to your account.".into())
}

/// RFC 7009 §2.1 in spirit, from the person's side: removes the consent and
/// revokes every code and token issued under it.
async fn delete_app(
    State(state): State<AppState>,
    Now(now): Now,
    _: SameOrigin,
    CurrentUser(me): CurrentUser,
    ApiPath(client_id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let client_id = ClientId::parse(&client_id).ok_or_else(no_such_app)?;
    let client = apps::find_client(&state.db, &client_id)
        .await?
        .ok_or_else(no_such_app)?;
    if !consents::revoke(&state.db, &me.user_id, &client.oauth_app_id, now).await? {
        return Err(no_such_app());
    }
    tracing::info!(
        event = "consent_revoked",
        user_id = %me.user_id,
        client_id = %client_id,
        "the person removed an app's access"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the person, this browser's included.
async fn delete_sessions(
    State(state): State<AppState>,
    _: SameOrigin,
    CurrentUser(me): CurrentUser,
    jar: CookieJar,
) -> ApiResult<impl IntoResponse> {
    sessions::delete_user_sessions(&state.db, &me.user_id).await?;
    let jar = end_session(&state, jar).await?;
    Ok((StatusCode::NO_CONTENT, jar))
}
