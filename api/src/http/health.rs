//! Probes for load balancers and orchestrators.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(get_health))
        .route("/readyz", get(get_readiness))
}

/// Liveness: the process is up and answering; touches nothing else.
async fn get_health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers and its schema is the one this build
/// expects; otherwise 503 (send no traffic here yet).
async fn get_readiness(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let (applied, latest) = state.db.schema_versions().await?;
    if applied != Some(latest) {
        return Err(ApiError::Unavailable { retry_after: 5 });
    }
    state.health.report_up();
    Ok(Json(json!({ "status": "ready", "schema": latest })))
}
