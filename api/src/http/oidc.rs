//! OpenID Connect's endpoints beyond the token endpoint: the keys ID Tokens
//! are signed with, and UserInfo.

use super::extract::Now;
use super::respond::no_store;
use crate::error::{ApiError, ApiResult};
use crate::service::userinfo;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use shared::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/oauth/jwks", get(get_jwks))
        .route("/api/oauth/userinfo", get(get_userinfo).post(get_userinfo))
}

/// RFC 7517 §5: the public keys that verify our ID Tokens.
async fn get_jwks(State(state): State<AppState>, Now(now): Now) -> ApiResult<Response> {
    let jwks = state
        .keys
        .jwks(&state.db, now, state.config.tokens.id_token_ttl)
        .await?;
    let mut response = Json(jwks).into_response();
    // Cached no longer than a new key is published before it signs.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

fn bearer(code: Option<ErrorCode>, description: &'static str) -> ApiError {
    ApiError::Bearer {
        code,
        description: description.into(),
    }
}

/// The access token of the request (RFC 6750 §2.1 header, or §2.2 form
/// body of a POST); never both.
fn presented_token(method: &Method, headers: &HeaderMap, body: &[u8]) -> ApiResult<Option<String>> {
    let header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let v = v.to_str().map_err(|_| {
                bearer(
                    Some(ErrorCode::InvalidRequest),
                    "The Authorization header is not valid.",
                )
            })?;
            let (scheme, token) = v.trim().split_once(' ').unwrap_or((v, ""));
            if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
                return Err(bearer(
                    Some(ErrorCode::InvalidRequest),
                    "Send the access token as Authorization: Bearer <token>.",
                ));
            }
            Some(token.trim().to_owned())
        }
    };
    // RFC 6750 §2.2: the form-encoded body parameter.
    #[derive(serde::Deserialize)]
    struct BearerForm {
        access_token: Option<String>,
    }
    let form = match *method == Method::POST && !body.is_empty() {
        true => {
            shared::form::from_pairs::<BearerForm, _, _>(url::form_urlencoded::parse(body))
                .map_err(|e| ApiError::Bearer {
                    code: Some(ErrorCode::InvalidRequest),
                    description: e.to_string().into(),
                })?
                .access_token
        }
        false => None,
    };
    match (header, form) {
        (Some(_), Some(_)) => Err(bearer(
            Some(ErrorCode::InvalidRequest),
            "Send the access token one way: the Authorization header or the form body.",
        )),
        (h, f) => Ok(h.or(f)),
    }
}

/// OpenID Connect Core §5.3: the claims the access token's scopes release.
async fn get_userinfo(
    State(state): State<AppState>,
    Now(now): Now,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let Some(token) = presented_token(&method, &headers, &body)? else {
        return Err(bearer(None, "An access token is required."));
    };
    let info = userinfo::claims(&state, &token, now).await?;
    Ok(no_store(Json(info)))
}
