//! Limits on failed and repeated attempts: what is counted, and when a count
//! refuses the next attempt. The counts live in the database (shared by every
//! instance); this module only decides.

use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// Failed sign-ins of one account (by normalised email).
    Account(&'a str),
    /// Failed authentications of one client id from one source address.
    /// Not of the id alone: anyone could then lock a confidential client
    /// or a resource server out by guessing (its server-made 256-bit
    /// secret needs no such lock-out).
    Client(&'a str, IpAddr),
    /// Failed sign-ins from one source address.
    SignInSource(IpAddr),
    /// Sign-ups (successful or not) from one source address.
    SignUpSource(IpAddr),
    /// Failed client authentications from one source address.
    ClientSource(IpAddr),
    /// Self-registrations (successful or not) from one source address.
    RegistrationSource(IpAddr),
    /// Sign-ups from one IPv6 site (the /48 around the address).
    SignUpNetwork(IpAddr),
    /// Self-registrations from one IPv6 site (/48).
    RegistrationNetwork(IpAddr),
    /// Sign-ups on the whole deployment.
    SignUps,
    /// Metadata documents from one source address that could not be used.
    MetadataSource(IpAddr),
}

impl Subject<'_> {
    /// The stored key: a digest, so no email or address is kept.
    pub fn key(&self) -> String {
        let (kind, name) = match self {
            Subject::Account(email) => ("account", (*email).to_owned()),
            Subject::Client(id, ip) => ("client", format!("{id} {}", source_name(*ip))),
            Subject::SignInSource(ip) => ("sign-in-source", source_name(*ip)),
            Subject::SignUpSource(ip) => ("sign-up-source", source_name(*ip)),
            Subject::ClientSource(ip) => ("client-source", source_name(*ip)),
            Subject::RegistrationSource(ip) => ("registration-source", source_name(*ip)),
            Subject::MetadataSource(ip) => ("metadata-source", source_name(*ip)),
            Subject::SignUpNetwork(ip) => ("sign-up-network", network_name(*ip)),
            Subject::RegistrationNetwork(ip) => ("registration-network", network_name(*ip)),
            Subject::SignUps => ("sign-ups", String::new()),
        };
        hex::encode(
            Sha256::new()
                .chain_update(kind.as_bytes())
                .chain_update([0])
                .chain_update(name.as_bytes())
                .finalize(),
        )
    }

    /// What kind of thing it is, for logs (never the name itself).
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Account(_) => "account",
            Subject::Client(..) => "client",
            Subject::SignInSource(_)
            | Subject::SignUpSource(_)
            | Subject::ClientSource(_)
            | Subject::RegistrationSource(_)
            | Subject::MetadataSource(_) => "source",
            Subject::SignUpNetwork(_) | Subject::RegistrationNetwork(_) => "network",
            Subject::SignUps => "deployment",
        }
    }
}

/// A source address as limits see it: an IPv4 address, or an IPv6 /64 (one
/// customer's whole prefix: rotating addresses inside it gains nothing).
pub fn source_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The IPv6 site (/48) around an address, for the budgets that a /64-hopping
/// client inside one site would otherwise multiply; an IPv4 address is itself.
pub fn network_name(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

/// How many events a window allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub max: i64,
    /// Seconds.
    pub window: i64,
}

/// A stored count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub failures: i64,
    pub window_start: i64,
}

/// Seconds until the next attempt is allowed, if the count refuses it now.
pub fn retry_after(count: Option<&Count>, policy: Policy, now: i64) -> Option<i64> {
    let count = count?;
    let ends = count.window_start + policy.window;
    (count.failures >= policy.max && now < ends).then(|| ends - now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Policy = Policy { max: 3, window: 60 };

    #[test]
    fn a_full_window_refuses_until_it_ends() {
        let c = Count {
            failures: 3,
            window_start: 100,
        };
        assert_eq!(retry_after(Some(&c), P, 110), Some(50));
        assert_eq!(retry_after(Some(&c), P, 159), Some(1));
        assert_eq!(retry_after(Some(&c), P, 160), None, "the window ended");
        let under = Count {
            failures: 2,
            window_start: 100,
        };
        assert_eq!(retry_after(Some(&under), P, 110), None);
        assert_eq!(retry_after(None, P, 110), None);
    }

    #[test]
    fn keys_name_the_kind_and_hide_the_name() {
        let a = Subject::Account("ada@example.com").key();
        assert_eq!(a.len(), 64);
        assert!(!a.contains("ada"));
        let here: IpAddr = "192.0.2.1".parse().unwrap();
        assert_ne!(a, Subject::Client("ada@example.com", here).key());
        assert_ne!(
            Subject::Client("c", here).key(),
            Subject::Client("c", "192.0.2.2".parse().unwrap()).key(),
            "one client's failures are counted per source"
        );
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        assert_ne!(
            Subject::SignInSource(ip).key(),
            Subject::SignUpSource(ip).key()
        );
    }

    #[test]
    fn an_ipv6_source_is_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(source_name(a), source_name(b));
        assert_eq!(source_name(a), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(source_name(mapped), "192.0.2.1");
    }
}
