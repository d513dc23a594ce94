//! The test server's routes: the home page's sign-in link, the callback, and
//! the buttons that test, refresh and revoke the tokens.

use super::api::Answer;
use super::pages::{
    respond, CallbackPage, CallbackProblem, ErrorPage, HomePage, ResultPage, SignedInPage,
};
use super::{Client, Pending, Shared, MAX_PENDING};
use crate::clock::{Clock, SystemClock};
use crate::crypto::{ct_eq, random_token};
use crate::domain::pkce::s256_challenge;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use shared::{Scope, ScopeSet, TokenResponse};
use std::fmt::Display;

/// The home page: a fresh state and PKCE pair behind the sign-in button.
pub(super) async fn home(State(client): State<Shared>) -> Response {
    let state = random_token("");
    let verifier = random_token("");
    let challenge = s256_challenge(&verifier);
    let nonce = client.oidc.then(|| random_token(""));
    {
        let mut pending = client.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() >= MAX_PENDING {
            pending.pop_front();
        }
        pending.push_back(Pending {
            state: state.clone(),
            verifier,
            nonce: nonce.clone(),
        });
    }
    let scopes = if client.oidc {
        ScopeSet::new(Scope::IDENTITY)
    } else {
        ScopeSet::new(Scope::PLATFORM)
    }
    .to_space_separated();
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("scope", scopes.as_str()),
        ("state", state.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    if let Some(nonce) = &nonce {
        params.push(("nonce", nonce));
    }
    let href = match url::Url::parse_with_params(&client.authorize_endpoint, params) {
        Ok(u) => u.to_string(),
        Err(e) => {
            return respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorPage {
                    title: "Error",
                    message: e.to_string(),
                },
            )
        }
    };
    let title = if client.oidc {
        "OpenID Connect test client"
    } else {
        "OAuth test client"
    };
    respond(
        StatusCode::OK,
        HomePage {
            title,
            client_id: &client.client_id,
            href: &href,
            endpoint: &client.authorize_endpoint,
            redirect_uri: &client.redirect_uri,
            scopes: &scopes,
            state: &state,
            challenge: &challenge,
            nonce: nonce.as_deref(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// RFC 6749 §4.1.2: checks `state`, then exchanges the code (§4.1.3) from here.
pub(super) async fn callback(
    State(client): State<Shared>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let started = q.state.as_deref().and_then(|state| {
        let mut pending = client.pending.lock().unwrap_or_else(|e| e.into_inner());
        let i = pending
            .iter()
            .position(|p| ct_eq(p.state.as_bytes(), state.as_bytes()))?;
        pending.remove(i)
    });
    let Some(started) = started else {
        return respond(
            StatusCode::BAD_REQUEST,
            CallbackPage {
                title: "State mismatch",
                problem: CallbackProblem::StateMismatch,
            },
        );
    };
    if let Some(error) = &q.error {
        return respond(
            StatusCode::OK,
            CallbackPage {
                title: "Authorization refused",
                problem: CallbackProblem::Refused {
                    error,
                    description: q.error_description.as_deref().unwrap_or(""),
                },
            },
        );
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return respond(
            StatusCode::BAD_REQUEST,
            CallbackPage {
                title: "No code",
                problem: CallbackProblem::NoCode,
            },
        );
    };
    let result = client
        .call(
            "/api/oauth/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &client.redirect_uri),
                ("code_verifier", &started.verifier),
            ],
        )
        .await;
    token_page(&client, &result, None, started.nonce.as_deref()).await
}

/// The tokens a page shows, carried between pages in hidden fields.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Tokens {
    pub(super) access_token: String,
    pub(super) refresh_token: String,
    #[serde(default)]
    pub(super) scope: String,
    #[serde(default)]
    pub(super) expires_at: i64,
    /// For /revoke: `access` or `refresh`.
    #[serde(default)]
    which: Option<String>,
    /// The sign-in's nonce (OIDC mode), which a refreshed ID Token may repeat.
    #[serde(default)]
    pub(super) nonce: Option<String>,
}

impl Tokens {
    /// The form fields that bring these tokens back (`which` is the button's own).
    pub(super) fn hidden_fields(&self) -> Vec<(&'static str, &dyn Display)> {
        let mut fields: Vec<(&'static str, &dyn Display)> = vec![
            ("access_token", &self.access_token),
            ("refresh_token", &self.refresh_token),
            ("scope", &self.scope),
            ("expires_at", &self.expires_at),
        ];
        if let Some(nonce) = &self.nonce {
            fields.push(("nonce", nonce));
        }
        fields
    }
}

/// RFC 7662: is the access token active, and what does the server say about it?
pub(super) async fn introspect(State(client): State<Shared>, Form(t): Form<Tokens>) -> Response {
    let result = client
        .call(
            "/api/oauth/introspect",
            &[
                ("token", &t.access_token),
                ("token_type_hint", "access_token"),
            ],
        )
        .await;
    action_page("Introspection of the access token", &result, &t)
}

/// RFC 6749 §6: new tokens for the refresh token (which is rotated).
pub(super) async fn refresh(State(client): State<Shared>, Form(t): Form<Tokens>) -> Response {
    let result = client
        .call(
            "/api/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &t.refresh_token),
            ],
        )
        .await;
    token_page(&client, &result, Some(&t), t.nonce.as_deref()).await
}

/// RFC 7009: revokes the access token, or the refresh token (and its grant).
pub(super) async fn revoke(State(client): State<Shared>, Form(t): Form<Tokens>) -> Response {
    let (token, hint, title) = if t.which.as_deref() == Some("refresh") {
        (
            &t.refresh_token,
            "refresh_token",
            "Revocation of the refresh token",
        )
    } else {
        (
            &t.access_token,
            "access_token",
            "Revocation of the access token",
        )
    };
    let result = client
        .call(
            "/api/oauth/revoke",
            &[("token", token), ("token_type_hint", hint)],
        )
        .await;
    action_page(title, &result, &t)
}

/// After a token request: the new tokens, or the error with the old ones (if any).
async fn token_page(
    client: &Client,
    answer: &Answer,
    old: Option<&Tokens>,
    nonce: Option<&str>,
) -> Response {
    let title = if old.is_some() {
        "Refresh"
    } else {
        "Token exchange"
    };
    if let Ok((200, body)) = answer {
        if let Ok(t) = serde_json::from_value::<TokenResponse>(body.clone()) {
            let tokens = Tokens {
                access_token: t.access_token.into_secret(),
                refresh_token: t.refresh_token.into_secret(),
                scope: t.scope,
                expires_at: SystemClock.now() + t.expires_in,
                which: None,
                nonce: nonce.map(str::to_owned),
            };
            let identity = if client.oidc {
                Some(client.identity(t.id_token.as_deref(), &tokens).await)
            } else {
                None
            };
            return respond(
                StatusCode::OK,
                SignedInPage {
                    title: &format!("{title}: signed in"),
                    token_type: t.token_type.as_str(),
                    expires_in: t.expires_in,
                    identity,
                    tokens: &tokens,
                },
            );
        }
    }
    respond(
        StatusCode::OK,
        ResultPage {
            title: &format!("{title} failed"),
            heading: title,
            answer,
            tokens: old,
        },
    )
}

fn action_page(title: &str, answer: &Answer, t: &Tokens) -> Response {
    respond(
        StatusCode::OK,
        ResultPage {
            title,
            heading: title,
            answer,
            tokens: Some(t),
        },
    )
}
