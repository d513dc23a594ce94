#!/usr/bin/env bash
# Runs every test of the project, installing what is missing:
#   1. format and lint (cargo fmt --check, clippy -D warnings);
#   2. the consent screen's JSON adapter in a JS engine (wasm32 under node);
#      Rust unit and integration tests on SQLite (a fresh file per test);
#   3. the same integration tests on PostgreSQL (a fresh schema per test);
#   4. the consent screen's browser tests (scripts/e2e.sh).
# PostgreSQL: TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test.
# It must be reachable: the run fails loudly otherwise (SKIP_POSTGRES=1 to
# skip it on a machine without one; CI never skips).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n==> %s\n' "$*"; }

export TEST_PG_URL="${TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if ! command -v cargo >/dev/null; then
  echo "error: cargo is missing: install Rust with rustup (https://rustup.rs), then re-run." >&2
  exit 1
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  say "cargo install cargo-nextest --locked"
  cargo install cargo-nextest --locked
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

pg_ready() { pg_isready -q -d "$TEST_PG_URL" 2>/dev/null; }
if [ "${SKIP_POSTGRES:-0}" = 1 ] && [ "${CI:-}" != true ]; then
  echo "warning: SKIP_POSTGRES=1: the PostgreSQL half of the suite is skipped" >&2
else
  if ! command -v pg_isready >/dev/null; then
    echo "error: pg_isready (Debian package postgresql-client) is missing" >&2
    exit 1
  fi
  if ! pg_ready && command -v pg_ctlcluster >/dev/null; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do pg_ready && break; sleep 1; done
  fi
  if ! pg_ready; then
    echo "error: PostgreSQL at $TEST_PG_URL is unreachable; the PostgreSQL tests cannot run." >&2
    echo "       Start it, point TEST_PG_URL at one, or (outside CI) set SKIP_POSTGRES=1." >&2
    exit 1
  fi
  # Each test makes its own schema; drop the ones earlier runs left behind,
  # one transaction each (all at once can exceed the server's lock table).
  psql -qAt -d "$TEST_PG_URL" -c "select nspname from pg_namespace where nspname like 't\_%'" \
    | while read -r schema; do
        psql -q -d "$TEST_PG_URL" -c "drop schema if exists \"$schema\" cascade" >/dev/null
      done
  RUN_POSTGRES=1
fi

say "tools for the consent screen and the browser tests"
scripts/install-frontend-tools.sh

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy -D warnings (server, shared, CLI)"
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings

say "cargo clippy -D warnings (consent screen, wasm32)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

say "consent screen: JSON adapter round trips (wasm32, in node)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$PWD/scripts/wasm-test-runner.sh" \
  cargo test -p frontend --lib --target wasm32-unknown-unknown

say "Rust tests on SQLite"
cargo nextest run --workspace --no-fail-fast

if [ "${RUN_POSTGRES:-0}" = 1 ]; then
  say "Rust integration tests on PostgreSQL ($TEST_PG_URL)"
  TEST_BACKEND=postgres TEST_DATABASE_URL_PG="$TEST_PG_URL" \
    cargo nextest run -p api -p admin --tests --no-fail-fast
fi

say "Browser tests"
scripts/e2e.sh

echo
echo "All tests passed."
