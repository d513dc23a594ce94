//! Typed calls to our own API (same origin, JSON, the session cookie rides
//! along by the browser's default `same-origin` credentials policy).

use crate::logic::api_error::ApiError;
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use shared::{
    AppInfo, AuthConfig, AuthorizeRequest, AuthorizeResponse, Credentials, ErrorBody, Me,
};

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let response = request
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if response.ok() {
        Ok(response)
    } else {
        let status = response.status();
        let body = response.json::<ErrorBody>().await.ok();
        Err(ApiError::Status { status, body })
    }
}

async fn json<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiError> {
    send(request)
        .await?
        .json::<T>()
        .await
        .map_err(|_| ApiError::Decode)
}

fn get(url: &str) -> Result<Request, gloo_net::Error> {
    Request::get(url)
        .header("Accept", "application/json")
        .build()
}

/// `GET /api/auth/me`: who is signed in (401 when nobody).
pub async fn me() -> Result<Me, ApiError> {
    json(get("/api/auth/me")).await
}

/// `GET /api/auth/config`.
pub async fn config() -> Result<AuthConfig, ApiError> {
    json(get("/api/auth/config")).await
}

/// `POST /api/auth/login`.
pub async fn login(credentials: &Credentials) -> Result<Me, ApiError> {
    json(Request::post("/api/auth/login").json(credentials)).await
}

/// `POST /api/auth/signup`: creates the account and signs it in.
pub async fn signup(credentials: &Credentials) -> Result<Me, ApiError> {
    json(Request::post("/api/auth/signup").json(credentials)).await
}

/// `POST /api/auth/logout`: ends the session on the server.
pub async fn logout() -> Result<(), ApiError> {
    send(Request::post("/api/auth/logout").build())
        .await
        .map(|_| ())
}

/// `GET /api/oauth/app/{client_id}`.
pub async fn app_info(client_id: &str) -> Result<AppInfo, ApiError> {
    let url = format!("/api/oauth/app/{}", crate::logic::query::encode(client_id));
    json(get(&url)).await
}

/// `POST /api/oauth/authorize`: the person's decision. The answer's
/// `redirect_url` is the only place the page ever sends the browser.
pub async fn authorize(request: &AuthorizeRequest) -> Result<AuthorizeResponse, ApiError> {
    json(Request::post("/api/oauth/authorize").json(request)).await
}
