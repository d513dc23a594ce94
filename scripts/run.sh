#!/usr/bin/env bash
# Runs the product on this machine: builds the consent screen (trunk, release)
# and starts the API, which serves it and the OAuth endpoints on one origin,
# http://127.0.0.1:8006, with an embedded SQLite database in ./data/.
# Installs the build tools it needs when missing. Extra arguments go to the
# server (see `cargo run -p api -- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "error: cargo is missing: install Rust with rustup (https://rustup.rs), then re-run." >&2
  exit 1
fi
scripts/install-frontend-tools.sh --build-only
echo "==> trunk build --release --offline"
trunk build --release --offline
echo "==> cargo run --release -p api"
exec cargo run --release -p api --bin api -- "$@"
