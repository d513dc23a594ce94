//! The server's half of the authorization request (RFC 6749 §4.1.2.1):
//! verifying the client and its redirect URI, and the responses sent back
//! through that URI (RFC 6749 §4.1.2, RFC 9207).

use super::client::Client;
use super::redirect::redirect_url;
use shared::{AuthorizationCode, AuthorizeProblem, ClientTarget, ErrorCode, Prompt};

/// What the seed says a denial tells the app.
pub const DENIED_DESCRIPTION: &str = "User denied access";

/// Stage 2 of the request: the client must exist and be active, and the
/// redirect URI must be one it registered (`registered`, matched by the
/// store). Until this passes, nothing is ever redirected.
pub fn verify_client(found: Option<Client>, registered: bool) -> Result<Client, AuthorizeProblem> {
    let client = found
        .filter(Client::is_active)
        .ok_or(AuthorizeProblem::UnknownClient)?;
    if !registered {
        return Err(AuthorizeProblem::RedirectUriNotRegistered);
    }
    Ok(client)
}

/// The URLs an authorization ends in, all to the verified redirect URI and
/// all carrying `state` and `iss`.
#[derive(Debug, Clone, Copy)]
pub struct Responder<'a> {
    pub target: &'a ClientTarget,
    pub issuer: &'a str,
}

impl Responder<'_> {
    /// RFC 6749 §4.1.2.
    pub fn code(&self, code: &AuthorizationCode) -> String {
        self.url(&[("code", Some(code.secret()))])
    }

    /// RFC 6749 §4.1.2.1.
    pub fn error(&self, code: ErrorCode, description: &str) -> String {
        self.url(&[
            ("error", Some(code.as_str())),
            ("error_description", Some(description)),
        ])
    }

    fn url(&self, first: &[(&str, Option<&str>)]) -> String {
        let mut params = first.to_vec();
        params.push(("state", self.target.state.as_ref().map(|s| s.as_str())));
        params.push(("iss", Some(self.issuer)));
        redirect_url(self.target.redirect_uri.as_str(), &params)
    }
}

pub use shared::{may_skip_screen, Approval, MustAsk};

/// How long a person may take from signing in to deciding on the screen.
pub const DECISION_WINDOW: i64 = 600;

/// Whether the sign-in behind a decision is fresh enough for the request
/// (OpenID Connect Core §3.1.2.1). The page makes the person sign in again
/// for `prompt=login` or a passed `max_age`; the server checks that it
/// happened: a sign-in within `DECISION_WINDOW` for `prompt=login`, within
/// `max_age` plus that window otherwise.
pub fn decision_sign_in_is_fresh(prompt: Prompt, max_age: Option<i64>, auth_age: i64) -> bool {
    if prompt.login {
        return auth_age <= DECISION_WINDOW;
    }
    max_age.is_none_or(|m| auth_age <= m.saturating_add(DECISION_WINDOW))
}

/// Whether a client may ever be spared the consent screen. Any local
/// process can listen on a loopback port or claim a private-use scheme
/// (RFC 8252 §8.6), so a public client with such a redirect URI cannot
/// prove it is the app it names: a code without a click would go to
/// whoever asked. A confidential client can prove it, and so can a public
/// one whose redirect URIs are all https.
pub fn can_be_remembered(client: &Client, redirect_uris: &[String]) -> bool {
    client.secret.is_some()
        || (!redirect_uris.is_empty() && redirect_uris.iter().all(|u| u.starts_with("https://")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::client::tests::client;
    use shared::{AuthorizeParams, ClientId, RedirectUri, State};

    #[test]
    fn a_decision_needs_a_sign_in_as_fresh_as_the_request_asks() {
        let login = Prompt {
            login: true,
            ..Prompt::default()
        };
        let plain = Prompt::default();
        assert!(decision_sign_in_is_fresh(plain, None, 10_000_000));
        assert!(decision_sign_in_is_fresh(login, None, DECISION_WINDOW));
        assert!(!decision_sign_in_is_fresh(login, None, DECISION_WINDOW + 1));
        assert!(decision_sign_in_is_fresh(plain, Some(0), 5));
        assert!(!decision_sign_in_is_fresh(
            plain,
            Some(0),
            DECISION_WINDOW + 1
        ));
        assert!(decision_sign_in_is_fresh(
            plain,
            Some(3600),
            3600 + DECISION_WINDOW
        ));
        assert!(!decision_sign_in_is_fresh(
            plain,
            Some(3600),
            3601 + DECISION_WINDOW
        ));
    }

    #[test]
    fn public_clients_on_a_device_are_never_remembered() {
        let confidential = client(true);
        let mut public = client(true);
        public.secret = None;
        let loopback = ["http://127.0.0.1/cb".to_owned()];
        let scheme = ["com.example.app:/cb".to_owned()];
        let https = ["https://app.example/cb".to_owned()];
        assert!(can_be_remembered(&confidential, &loopback));
        assert!(can_be_remembered(&public, &https));
        assert!(!can_be_remembered(&public, &loopback));
        assert!(!can_be_remembered(&public, &scheme));
        assert!(!can_be_remembered(
            &public,
            &[https[0].clone(), loopback[0].clone()]
        ));
        assert!(!can_be_remembered(&public, &[]));
    }

    #[test]
    fn only_an_active_client_with_a_registered_uri_passes() {
        assert!(verify_client(Some(client(true)), true).is_ok());
        assert_eq!(
            verify_client(Some(client(true)), false).unwrap_err(),
            AuthorizeProblem::RedirectUriNotRegistered
        );
        assert_eq!(
            verify_client(None, false).unwrap_err(),
            AuthorizeProblem::UnknownClient
        );
        let mut disabled = client(true);
        disabled.disabled_at = Some(1);
        assert_eq!(
            verify_client(Some(disabled), true).unwrap_err(),
            AuthorizeProblem::UnknownClient,
            "a disabled client is unknown, whatever its URI"
        );
    }

    #[test]
    fn responses_carry_state_and_issuer_and_deny_reads_as_the_seed_says() {
        let target = ClientTarget {
            client_id: ClientId::parse("agpt_client_x").unwrap(),
            redirect_uri: RedirectUri::parse("http://localhost:8080/callback").unwrap(),
            state: State::parse("random-state-string"),
        };
        let r = Responder {
            target: &target,
            issuer: "https://auth.example",
        };
        assert_eq!(
            r.error(ErrorCode::AccessDenied, DENIED_DESCRIPTION),
            "http://localhost:8080/callback?error=access_denied&error_description=User%20denied%20access\
             &state=random-state-string&iss=https%3A%2F%2Fauth.example"
        );
        assert_eq!(
            r.code(&AuthorizationCode::new("agpt_code_1")),
            "http://localhost:8080/callback?code=agpt_code_1&state=random-state-string&iss=https%3A%2F%2Fauth.example"
        );
        let no_state = AuthorizeParams {
            client_id: Some("agpt_client_x".into()),
            redirect_uri: Some("https://a/cb".into()),
            ..AuthorizeParams::default()
        }
        .target()
        .unwrap();
        let r = Responder {
            target: &no_state,
            issuer: "i",
        };
        assert_eq!(
            r.code(&AuthorizationCode::new("c")),
            "https://a/cb?code=c&iss=i"
        );
    }
}
