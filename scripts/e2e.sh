#!/usr/bin/env bash
# Browser tests of the consent screen: builds the release frontend and the
# API, then runs e2e/ (its own API on a free port with a fresh SQLite file).
#   scripts/e2e.sh                          # everything
#   scripts/e2e.sh tests/errors.test.mjs    # one file (path relative to e2e/)
# Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-frontend-tools.sh

echo "==> trunk build --release --offline"
trunk build --release --offline

echo "==> cargo build -p api --bin api --bin oauth-admin"
cargo build -p api --bin api --bin oauth-admin

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
export API_BIN="${TARGET_DIR}/debug/api"
export ADMIN_BIN="${TARGET_DIR}/debug/oauth-admin"
export DIST_DIR="${PWD}/dist"

# What the browser downloads, compressed (the issue's budget: < 150 KB gzip).
total=0
for f in dist/*.wasm dist/*.js dist/*.css; do
  total=$((total + $(gzip -9 -c "$f" | wc -c)))
done
echo "==> wasm + js + css, gzip -9: $((total / 1024)) KB (${total} bytes)"

echo "==> e2e (node --test)"
cd e2e
node run.mjs "$@"
