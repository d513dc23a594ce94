//! Registered clients and how they authenticate (RFC 6749 §2.3).

use super::Rejection;
use crate::crypto::HashedSecret;
use shared::{ClientId, ClientPolicy, ClientSecret, ErrorCode, Registration, Scope, ScopeSet};
use std::fmt;

/// A grant type a client may use at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
}

impl GrantType {
    pub const ALL: [GrantType; 2] = [GrantType::AuthorizationCode, GrantType::RefreshToken];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        GrantType::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// A registered application, as stored (its redirect URIs are matched in
/// the store, so they are not carried here).
#[derive(Debug, Clone)]
pub struct Client {
    /// The internal row id.
    pub oauth_app_id: String,
    pub client_id: ClientId,
    /// None for a public client.
    pub secret: Option<HashedSecret>,
    pub name: String,
    pub description: String,
    pub logo_url: Option<String>,
    pub allowed_scopes: ScopeSet,
    pub grant_types: Vec<GrantType>,
    pub owner_id: Option<String>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub registration: Registration,
    /// A metadata-document client's cached document is good until then.
    pub metadata_expires_at: Option<i64>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub application_type: Option<ApplicationType>,
    /// How its ID Tokens are signed (OpenID Connect Dynamic Registration §2).
    pub id_token_alg: super::oidc::SigningAlg,
}

/// RFC 7591 / OIDC Dynamic Registration `application_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationType {
    /// Redirect URIs are https.
    Web,
    /// Redirect URIs are loopback http or private-use schemes (RFC 8252).
    Native,
}

impl ApplicationType {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationType::Web => "web",
            ApplicationType::Native => "native",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "web" => Some(ApplicationType::Web),
            "native" => Some(ApplicationType::Native),
            _ => None,
        }
    }
}

impl Client {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }

    pub fn is_public(&self) -> bool {
        self.secret.is_none()
    }

    pub fn allows(&self, grant_type: GrantType) -> bool {
        self.grant_types.contains(&grant_type)
    }

    /// What this client may ask for at the authorization endpoint. Only a
    /// client an operator registered may use PKCE `plain` (if enabled):
    /// clients nobody vouched for must use S256.
    pub fn policy(&self, plain_pkce_enabled: bool) -> ClientPolicy {
        ClientPolicy {
            allowed_scopes: self.allowed_scopes.clone(),
            extra_scopes: match self.registration.is_verified() {
                true => ScopeSet::default(),
                false => ScopeSet::new(Scope::PLATFORM),
            },
            plain_pkce_allowed: plain_pkce_enabled && self.registration.is_verified(),
        }
    }
}

/// Why client authentication failed (RFC 6749 §5.2 `invalid_client`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthRejection {
    /// Neither HTTP Basic nor a client_id in the body.
    NoCredentials,
    /// An Authorization header that is not valid HTTP Basic.
    MalformedBasic,
    /// Unknown or disabled client, or a wrong secret: one answer for all, so
    /// nothing can be probed.
    Failed,
    /// A public client presented a secret it cannot have.
    PublicWithSecret,
    /// A confidential client presented no secret.
    SecretRequired,
    /// A resource server's credentials where only a client's will do.
    NotAClient,
}

impl Rejection for ClientAuthRejection {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidClient
    }
}

impl fmt::Display for ClientAuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientAuthRejection::NoCredentials => {
                "Client authentication is required (HTTP Basic or client_id + client_secret)."
            }
            ClientAuthRejection::MalformedBasic => {
                "The Authorization header is not valid HTTP Basic client authentication."
            }
            ClientAuthRejection::Failed => "Client authentication failed.",
            ClientAuthRejection::PublicWithSecret => {
                "This is a public client; it has no secret to present."
            }
            ClientAuthRejection::SecretRequired => {
                "Client authentication is required for this client."
            }
            ClientAuthRejection::NotAClient => {
                "A resource server may introspect tokens, not revoke them."
            }
        })
    }
}

/// What a found client's registration says about the secret presented with
/// it: `Ok(None)` for a public client (nothing more to check), `Ok(Some(…))`
/// when the presented secret must be verified against the stored hash.
pub fn secret_to_verify<'a>(
    client: &'a Client,
    presented: Option<&'a ClientSecret>,
) -> Result<Option<(&'a HashedSecret, &'a ClientSecret)>, ClientAuthRejection> {
    match (&client.secret, presented) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(ClientAuthRejection::PublicWithSecret),
        (Some(_), None) => Err(ClientAuthRejection::SecretRequired),
        (Some(hash), Some(secret)) => Ok(Some((hash, secret))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn client(secret: bool) -> Client {
        Client {
            oauth_app_id: "app1".into(),
            client_id: ClientId::parse("agpt_client_x").unwrap(),
            secret: secret.then(|| HashedSecret {
                hash: "00".into(),
                salt: "00".into(),
            }),
            name: "App".into(),
            description: String::new(),
            logo_url: None,
            allowed_scopes: ScopeSet::parse("READ_GRAPH EXECUTE_GRAPH").unwrap(),
            grant_types: GrantType::ALL.to_vec(),
            owner_id: None,
            disabled_at: None,
            created_at: 0,
            updated_at: 0,
            registration: Registration::Operator,
            metadata_expires_at: None,
            client_uri: None,
            policy_uri: None,
            tos_uri: None,
            application_type: None,
            id_token_alg: crate::domain::oidc::SigningAlg::Rs256,
        }
    }

    #[test]
    fn public_clients_show_no_secret_and_confidential_ones_must() {
        let s = ClientSecret::new("agpt_secret_x");
        let check =
            |c: &Client, s: Option<&ClientSecret>| secret_to_verify(c, s).map(|v| v.is_some());
        assert_eq!(check(&client(false), None), Ok(false));
        assert_eq!(
            check(&client(false), Some(&s)),
            Err(ClientAuthRejection::PublicWithSecret)
        );
        assert_eq!(
            check(&client(true), None),
            Err(ClientAuthRejection::SecretRequired)
        );
        assert_eq!(check(&client(true), Some(&s)), Ok(true));
    }

    #[test]
    fn grant_types_round_trip() {
        for g in GrantType::ALL {
            assert_eq!(GrantType::parse(g.as_str()), Some(g));
        }
        assert_eq!(GrantType::parse("password"), None);
        let mut c = client(true);
        c.grant_types = vec![GrantType::AuthorizationCode];
        assert!(!c.allows(GrantType::RefreshToken));
    }
}
