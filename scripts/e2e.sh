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

echo "==> cargo build -p api --bin api -p admin --bin oauth-admin"
cargo build -p api --bin api -p admin --bin oauth-admin

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
if [ "${total}" -gt 150000 ]; then
  echo "error: the consent screen's download is ${total} bytes gzip, over its 150,000-byte budget" >&2
  exit 1
fi

# The Python relying party (tests/authlib.test.mjs): Authlib in e2e/.venv,
# made again only when e2e/requirements.txt changed.
venv=e2e/.venv
if [[ ! -x "${venv}/bin/python" ]] || ! cmp -s e2e/requirements.txt "${venv}/requirements.txt"; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    echo "==> apt-get install -y python3 python3-venv"
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv
  fi
  echo "==> python3 -m venv ${venv}; pip install -r e2e/requirements.txt"
  rm -rf "${venv}"
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check -r e2e/requirements.txt
  cp e2e/requirements.txt "${venv}/requirements.txt"
fi
export E2E_PYTHON="${PWD}/${venv}/bin/python"

echo "==> e2e (node --test)"
cd e2e
node run.mjs "$@"
