//! Fetching client metadata documents without becoming anyone's proxy into
//! our own network: https only, never a redirect, a bounded body, a short
//! timeout, no environment proxy, and a resolver that hands the connector
//! only the addresses it checked (so a name cannot resolve to a public
//! address for the check and a private one for the connection).

use crate::config::Config;
use crate::domain::cimd::{cache_seconds, is_public, CimdRejection, MAX_DOCUMENT_BYTES};
use crate::service::clients::{FetchDocument, Fetched};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// At most this many documents are fetched at once; more wait (within the timeout).
const CONCURRENT_FETCHES: usize = 16;

/// Why the fetcher could not be built (an unreadable CA file).
#[derive(Debug, thiserror::Error)]
#[error("--cimd-extra-root-ca {path}: {why}")]
pub struct FetcherError {
    path: String,
    why: String,
}

pub struct MetadataFetcher {
    client: reqwest::Client,
    allow_loopback: bool,
    timeout: Duration,
    permits: Semaphore,
}

impl MetadataFetcher {
    pub fn new(config: &Config) -> Result<Self, FetcherError> {
        let timeout = Duration::from_secs(config.cimd.cimd_timeout.max(1));
        let mut builder = reqwest::Client::builder()
            .https_only(true)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("autogpt-oauth/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(CheckedResolver {
                allow_loopback: config.cimd.cimd_allow_loopback,
            }));
        if let Some(path) = &config.cimd.cimd_extra_root_ca {
            let err = |why: String| FetcherError {
                path: path.display().to_string(),
                why,
            };
            let pem = std::fs::read(path).map_err(|e| err(e.to_string()))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| err(e.to_string()))?;
            if certs.is_empty() {
                return Err(err("no certificate in the file".into()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder.build().map_err(|e| FetcherError {
            path: String::new(),
            why: e.to_string(),
        })?;
        Ok(MetadataFetcher {
            client,
            allow_loopback: config.cimd.cimd_allow_loopback,
            timeout,
            permits: Semaphore::new(CONCURRENT_FETCHES),
        })
    }

    /// Whether an address may be connected to.
    fn address_allowed(&self, ip: IpAddr) -> bool {
        address_allowed(ip, self.allow_loopback)
    }

    /// GETs `url` (already checked by `domain::cimd::check_url` and the host
    /// lists) under every rule above.
    pub async fn fetch(&self, url: &url::Url) -> Result<Fetched, CimdRejection> {
        // The resolver is not asked about an address literal: check it here.
        let literal = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            _ => None,
        };
        if literal.is_some_and(|ip| !self.address_allowed(ip)) {
            return Err(CimdRejection::AddressNotAllowed);
        }
        let work = async {
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| CimdRejection::Unreachable)?;
            let mut response = self
                .client
                .get(url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| {
                    if refused_address(&e) {
                        CimdRejection::AddressNotAllowed
                    } else {
                        tracing::info!(error = %e, url = %url, "metadata document fetch failed");
                        CimdRejection::Unreachable
                    }
                })?;
            let status = response.status().as_u16();
            if status != 200 {
                return Err(CimdRejection::Status(status));
            }
            if response
                .content_length()
                .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
            {
                return Err(CimdRejection::TooLarge);
            }
            let cache = cache_seconds(
                response
                    .headers()
                    .get(reqwest::header::CACHE_CONTROL)
                    .and_then(|v| v.to_str().ok()),
            );
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|_| CimdRejection::Unreachable)?
            {
                if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                    return Err(CimdRejection::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Fetched {
                body,
                cache_seconds: cache,
            })
        };
        // The client's timeout covers one request; this covers the wait for
        // a permit too.
        tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or(Err(CimdRejection::Unreachable))
    }
}

impl FetchDocument for MetadataFetcher {
    fn fetch<'a>(
        &'a self,
        url: &'a url::Url,
    ) -> Pin<Box<dyn Future<Output = Result<Fetched, CimdRejection>> + Send + 'a>> {
        Box::pin(MetadataFetcher::fetch(self, url))
    }
}

fn address_allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    is_public(ip) || (allow_loopback && ip.to_canonical().is_loopback())
}

/// The resolver refused every address the name has.
#[derive(Debug, thiserror::Error)]
#[error("the name resolves to no address this server may fetch from")]
struct AddressRefused;

fn refused_address(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<AddressRefused>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// The system resolver, keeping only the addresses we may connect to.
struct CheckedResolver {
    allow_loopback: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found
                .filter(|a| address_allowed(a.ip(), allow_loopback))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(AddressRefused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_allowed_only_when_asked() {
        for ip in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!address_allowed(ip, false), "{ip}");
            assert!(address_allowed(ip, true), "{ip}");
        }
        for ip in ["10.0.0.1", "169.254.169.254", "192.168.0.1", "fd00::1"] {
            assert!(!address_allowed(ip.parse().unwrap(), true), "{ip}");
        }
    }
}
