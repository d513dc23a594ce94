//! What the test server asks the authorization server, always with the
//! client secret (which never reaches the browser), and how it checks the ID
//! Tokens it gets.

use super::handlers::Tokens;
use super::pages::Identity;
use super::Client;
use crate::crypto::ct_eq;
use crate::domain::oidc::at_hash;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// What the API answered: status and body, or why it could not be reached.
pub(super) type Answer = Result<(u16, Value), String>;

impl Client {
    /// Posts a form to the API, authenticating with the client secret (`client_secret_post`).
    pub(super) async fn call(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("client_id", &self.client_id));
        fields.push(("client_secret", &self.secret));
        let url = format!("{}{path}", self.backend);
        let res = self
            .http
            .post(&url)
            .form(&fields)
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| e.to_string())?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// A GET to the API, with the access token when there is one.
    async fn get_json(&self, url: &str, bearer: Option<&str>) -> Answer {
        let mut req = self.http.get(url);
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let res = req
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().await.map_err(|e| e.to_string())?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    /// OpenID Connect Core §3.1.3.7: checks the ID Token as a relying party
    /// must, with keys and issuer taken from discovery, not from this process.
    async fn verify_id_token(
        &self,
        id_token: &str,
        access_token: &str,
        nonce: Option<&str>,
    ) -> Result<Verified, String> {
        let discovery = match self
            .get_json(
                &format!("{}/.well-known/openid-configuration", self.backend),
                None,
            )
            .await?
        {
            (200, doc) => doc,
            (status, _) => return Err(format!("discovery answered HTTP {status}")),
        };
        let issuer = discovery["issuer"]
            .as_str()
            .ok_or("discovery names no issuer")?
            .to_owned();
        let jwks = match self
            .get_json(&format!("{}/api/oauth/jwks", self.backend), None)
            .await?
        {
            (200, jwks) => serde_json::from_value::<JwkSet>(jwks)
                .map_err(|e| format!("the JWKS does not parse: {e}"))?,
            (status, _) => return Err(format!("the JWKS endpoint answered HTTP {status}")),
        };
        let header =
            jsonwebtoken::decode_header(id_token).map_err(|e| format!("not a JWS: {e}"))?;
        let kid = header.kid.clone().ok_or("the header has no kid")?;
        let jwk = jwks
            .find(&kid)
            .ok_or_else(|| format!("no key {kid:?} in the JWKS"))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key {kid:?}: {e}"))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(format!("unexpected alg {:?}", header.alg));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[&self.client_id]);
        validation.set_required_spec_claims(&["iss", "aud", "exp", "sub"]);
        let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation)
            .map_err(|e| format!("rejected: {e}"))?
            .claims;
        let mut checks = vec![
            format!(
                "signature ({:?}, key {kid}) from the published JWKS",
                header.alg
            ),
            format!("iss is {issuer}"),
            "aud holds this client_id".to_owned(),
            "not expired".to_owned(),
        ];
        match (nonce, claims.get("nonce").and_then(Value::as_str)) {
            (Some(want), Some(got)) if ct_eq(want.as_bytes(), got.as_bytes()) => {
                checks.push("nonce is the one this sign-in sent".into())
            }
            (_, Some(_)) => return Err("the nonce is not the one this sign-in sent".into()),
            (Some(_), None) => checks.push("no nonce (allowed on refresh)".into()),
            (None, None) => {}
        }
        match claims.get("at_hash").and_then(Value::as_str) {
            Some(h) if h == at_hash(access_token) => {
                checks.push("at_hash matches the access token".into())
            }
            Some(_) => return Err("at_hash does not match the access token".into()),
            None => return Err("no at_hash".into()),
        }
        match claims.get("azp").and_then(Value::as_str) {
            Some(azp) if azp == self.client_id => checks.push("azp is this client_id".into()),
            _ => return Err("azp is not this client_id".into()),
        }
        if claims.get("iat").and_then(Value::as_i64).is_none() {
            return Err("no iat".into());
        }
        Ok(Verified {
            header: serde_json::json!({ "alg": header.alg, "kid": kid, "typ": header.typ }),
            claims,
            checks,
        })
    }

    /// OpenID Connect mode: the ID Token checked, and what UserInfo says of the person.
    pub(super) async fn identity(&self, id_token: Option<&str>, tokens: &Tokens) -> Identity {
        let Some(id_token) = id_token else {
            return Identity::Missing;
        };
        let verdict = self
            .verify_id_token(id_token, &tokens.access_token, tokens.nonce.as_deref())
            .await;
        let userinfo = self
            .get_json(
                &format!("{}/api/oauth/userinfo", self.backend),
                Some(&tokens.access_token),
            )
            .await;
        Identity::Checked {
            compact: id_token.to_owned(),
            verdict,
            userinfo,
        }
    }
}

/// An ID Token that passed every check, for display.
pub(super) struct Verified {
    pub(super) header: Value,
    pub(super) claims: Value,
    pub(super) checks: Vec<String>,
}
