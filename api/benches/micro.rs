//! Micro-measurements of the costs the load benchmark (`scripts/bench.sh`)
//! explains: one scrypt verification, and what the verified-secret memory
//! and the token hashing cost instead. `cargo bench -p api` prints them;
//! it asserts nothing.

use api::crypto::{hash_secret, random_token, sha256_hex, verify_secret, CLIENT_SECRET_PREFIX};
use api::secret_cache::VerifiedSecrets;
use std::hint::black_box;
use std::time::Instant;

fn per_call(label: &str, n: u32, mut f: impl FnMut()) {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    let each = t.elapsed().as_secs_f64() / f64::from(n);
    if each >= 1e-3 {
        println!("{label}: {:.1} ms", each * 1e3);
    } else {
        println!("{label}: {:.2} µs", each * 1e6);
    }
}

fn main() {
    let secret = random_token(CLIENT_SECRET_PREFIX);
    let hashed = hash_secret(&secret);
    per_call("scrypt verification (N=2^14, r=8, p=1)", 10, || {
        assert!(verify_secret(black_box(&secret), &hashed));
    });
    let cache = VerifiedSecrets::new(600, 10_000);
    cache.remember("agpt_client_bench", &hashed.hash, &secret, 0);
    per_call("remembered secret (HMAC-SHA256 + lookup)", 100_000, || {
        assert!(cache.is_verified("agpt_client_bench", &hashed.hash, black_box(&secret), 1));
    });
    let token = random_token("agpt_xt_");
    per_call("token hash (SHA-256, hex)", 100_000, || {
        black_box(sha256_hex(black_box(&token)));
    });
    per_call("new token (256 random bits, base64url)", 100_000, || {
        black_box(random_token("agpt_xt_"));
    });
}
