//! Which address a request counts as coming from.

use super::*;

#[test]
fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let proxy: IpAddr = "10.0.0.5".parse().unwrap();
    let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let cases = [
        (
            ip("203.0.113.9"),
            "198.51.100.1",
            &[][..],
            "203.0.113.9",
            "no proxies configured",
        ),
        (
            ip("203.0.113.9"),
            "198.51.100.1",
            &trusted[..],
            "203.0.113.9",
            "peer not trusted",
        ),
        (
            proxy,
            "198.51.100.1",
            &trusted[..],
            "198.51.100.1",
            "one proxy",
        ),
        (
            ip("::ffff:10.0.0.5"),
            "198.51.100.1",
            &trusted[..],
            "198.51.100.1",
            "a proxy seen as IPv4-mapped on a dual-stack bind",
        ),
        (
            proxy,
            "::ffff:198.51.100.1",
            &trusted[..],
            "198.51.100.1",
            "a mapped client is its IPv4 address",
        ),
        (
            proxy,
            "1.2.3.4, 198.51.100.1, 10.0.0.7",
            &trusted[..],
            "198.51.100.1",
            "two proxies; the client's own claim ignored",
        ),
        (proxy, "", &trusted[..], "10.0.0.5", "no header"),
        (
            proxy,
            "garbage, 198.51.100.1",
            &trusted[..],
            "198.51.100.1",
            "garbage left of the client",
        ),
        (
            proxy,
            "198.51.100.1, garbage",
            &trusted[..],
            "10.0.0.5",
            "garbage from a proxy",
        ),
    ];
    for (peer, xff, trusted, want, why) in cases {
        assert_eq!(client_address(peer, xff, trusted), ip(want), "{why}");
    }
}
