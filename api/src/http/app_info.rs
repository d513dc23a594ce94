//! What the consent screen shows about an app.

use super::extract::{ApiPath, ApiQuery};
use crate::error::{ApiError, ApiResult};
use crate::store::apps;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use shared::{AppInfo, AppInfoQuery, ScopeInfo};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/app/{client_id}", get(get_app))
}

/// The public face of an active app (the seed's `GET /api/oauth/app/{client_id}`);
/// with `?redirect_uri=`, also the RFC 6749 §4.1.2.1 check of that URI.
async fn get_app(
    State(state): State<AppState>,
    ApiPath(client_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<AppInfoQuery>,
) -> ApiResult<Json<AppInfo>> {
    let app = apps::find_active_app(&state.db, &client_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No active application has this client_id.".into()))?;
    if let Some(uri) = query.redirect_uri.filter(|u| !u.is_empty()) {
        if !app.has_redirect_uri(&uri) {
            return Err(ApiError::invalid_request(
                "redirect_uri is not registered for this application.",
            ));
        }
    }
    Ok(Json(AppInfo {
        client_id: app.client_id,
        name: app.name,
        description: app.description,
        logo_url: app.logo_url,
        scopes: app.allowed_scopes.iter().map(ScopeInfo::from).collect(),
    }))
}
