//! `hash-secret` and `validate-secret`.

use crate::helpers::{admin, stderr, stdout, TestDb};

fn hash_of(db: &TestDb, secret: &str) -> (String, String) {
    let out = admin(db).args(["hash-secret", secret]).assert().success();
    let text = stdout(out.get_output());
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    (field("hash:"), field("salt:"))
}

#[test]
fn a_hashed_secret_validates_and_another_secret_does_not() {
    let db = TestDb::new();
    let (hash, salt) = hash_of(&db, "agpt_secret_abc");
    assert_eq!((hash.len(), salt.len()), (64, 64));

    let ok = admin(&db)
        .args(["validate-secret", "agpt_secret_abc", &hash, &salt])
        .assert()
        .code(0);
    assert!(stdout(ok.get_output()).starts_with("valid"));

    let bad = admin(&db)
        .args(["validate-secret", "agpt_secret_abd", &hash, &salt])
        .assert()
        .code(1);
    assert!(stdout(bad.get_output()).starts_with("invalid"));
}

#[test]
fn the_same_secret_hashes_differently_each_time() {
    let db = TestDb::new();
    assert_ne!(hash_of(&db, "s3cret"), hash_of(&db, "s3cret"));
}

#[test]
fn malformed_hashes_and_missing_arguments_are_refused() {
    let db = TestDb::new();
    let salt = "ab".repeat(32);
    let out = admin(&db)
        .args(["validate-secret", "x", "not-hex", &salt])
        .assert()
        .code(1);
    assert!(stderr(out.get_output()).contains("64 hex characters"));
    // Usage errors are clap's: exit 2.
    admin(&db).args(["validate-secret", "x"]).assert().code(2);
    admin(&db).args(["hash-secret"]).assert().code(2);
    admin(&db).args(["no-such-command"]).assert().code(2);
}
