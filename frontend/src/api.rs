//! Typed calls to our own API (same origin, JSON, the session cookie rides
//! along by the browser's default `same-origin` credentials policy).
//!
//! JSON goes through the browser's own `JSON.parse`/`JSON.stringify` (see
//! `json.rs`) instead of `serde_json`: the same `shared` types on the wire,
//! without a second JSON parser in the download.

use crate::logic::api_error::ApiError;
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::{
    AppInfo, AuthConfig, AuthorizeRequest, AuthorizeResponse, ConnectedApps, Credentials,
    ErrorBody, LogoutConfirmation, Me,
};

async fn send(request: Result<Request, ApiError>) -> Result<Response, ApiError> {
    let response = request?.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        Ok(response)
    } else {
        let status = response.status();
        let body = decode::<ErrorBody>(&response).await.ok();
        Err(ApiError::Status { status, body })
    }
}

/// The body of `response` as a `T`.
async fn decode<T: DeserializeOwned>(response: &Response) -> Result<T, ApiError> {
    let text = response.text().await.map_err(|_| ApiError::Decode)?;
    let value = js_sys::JSON::parse(&text).map_err(|_| ApiError::Decode)?;
    crate::json::from_js(value).map_err(|_| ApiError::Decode)
}

/// Sends `request` and reads a successful answer as a `T`.
async fn json<T: DeserializeOwned>(request: Result<Request, ApiError>) -> Result<T, ApiError> {
    decode(&send(request).await?).await
}

/// A `POST` of `body` as JSON.
fn post<T: Serialize>(url: &str, body: &T) -> Result<Request, ApiError> {
    // The wire types always encode; a failure would be a bug, not a network
    // problem, but there is nothing better to tell the person.
    let json = crate::json::to_string(body).map_err(|_| ApiError::Network)?;
    Request::post(url)
        .header("Content-Type", "application/json")
        .body(json)
        .map_err(|_| ApiError::Network)
}

fn get(url: &str) -> Result<Request, ApiError> {
    Request::get(url)
        .header("Accept", "application/json")
        .build()
        .map_err(|_| ApiError::Network)
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
    json(post("/api/auth/login", credentials)).await
}

/// `POST /api/auth/signup`: creates the account and signs it in.
pub async fn signup(credentials: &Credentials) -> Result<Me, ApiError> {
    json(post("/api/auth/signup", credentials)).await
}

/// `POST /api/auth/logout`: ends the session on the server.
pub async fn logout() -> Result<(), ApiError> {
    send(
        Request::post("/api/auth/logout")
            .build()
            .map_err(|_| ApiError::Network),
    )
    .await
    .map(|_| ())
}

/// `GET /api/oauth/app/{client_id}?redirect_uri=…&resource=…`: the app
/// (with the names of the requested resources it knows), and a 400 if the
/// redirect URI is not one of its registered ones.
pub async fn app_info(
    client_id: &str,
    redirect_uri: &str,
    resources: &[String],
) -> Result<AppInfo, ApiError> {
    use crate::logic::query::encode;
    // Scopes come worded in the page's language.
    let mut url = format!(
        "/api/oauth/app/{}?ui_locales={}&redirect_uri={}",
        encode(client_id),
        crate::logic::text::lang().code(),
        encode(redirect_uri)
    );
    for r in resources {
        url.push_str("&resource=");
        url.push_str(&encode(r));
    }
    json(get(&url)).await
}

/// `POST /api/oauth/logout`: the person confirmed an app's sign-out request;
/// the answer's `redirect_url` is checked by the server (a registered
/// post-logout URI, or our signed-out page).
pub async fn confirm_logout(request: &LogoutConfirmation) -> Result<AuthorizeResponse, ApiError> {
    json(post("/api/oauth/logout", request)).await
}

/// `POST /api/oauth/authorize`: the person's decision. The answer's
/// `redirect_url` is the only place the page ever sends the browser.
pub async fn authorize(request: &AuthorizeRequest) -> Result<AuthorizeResponse, ApiError> {
    json(post("/api/oauth/authorize", request)).await
}

/// `GET /api/account/apps`: the apps with access to the account.
pub async fn connected_apps() -> Result<ConnectedApps, ApiError> {
    let url = format!(
        "/api/account/apps?ui_locales={}",
        crate::logic::text::lang().code()
    );
    json(get(&url)).await
}

/// `DELETE /api/account/apps/{client_id}`: removes that app's access.
pub async fn remove_app(client_id: &str) -> Result<(), ApiError> {
    let url = format!(
        "/api/account/apps/{}",
        crate::logic::query::encode(client_id)
    );
    send(Request::delete(&url).build().map_err(|_| ApiError::Network))
        .await
        .map(|_| ())
}

/// `POST /api/account/sign-out-everywhere`: ends every session of the person.
pub async fn sign_out_everywhere() -> Result<(), ApiError> {
    send(
        Request::post("/api/account/sign-out-everywhere")
            .build()
            .map_err(|_| ApiError::Network),
    )
    .await
    .map(|_| ())
}
