//! What the consent screen shows about an app.

use super::extract::ApiPath;
use crate::error::{ApiError, ApiResult};
use crate::store::apps;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use shared::{AppInfo, ScopeInfo};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/oauth/app/{client_id}", get(get_app))
}

/// The public face of an active app (the seed's `GET /api/oauth/app/{client_id}`).
async fn get_app(
    State(state): State<AppState>,
    ApiPath(client_id): ApiPath<String>,
) -> ApiResult<Json<AppInfo>> {
    let app = apps::find_active_app(&state.db, &client_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("No active application has this client_id.".into()))?;
    Ok(Json(AppInfo {
        client_id: app.client_id,
        name: app.name,
        description: app.description,
        logo_url: app.logo_url,
        scopes: app.allowed_scopes.iter().map(ScopeInfo::from).collect(),
    }))
}
