#!/usr/bin/env bash
# Installs what the browser half needs, only where missing (safe to re-run):
# the wasm32 target, trunk, wasm-bindgen-cli at the Cargo.lock version,
# Debian's binaryen (wasm-opt) and chromium, and the e2e suite's npm packages.
# Nothing here downloads a browser or a prebuilt toolchain of its own.
# With --build-only, only what building the consent screen needs (for
# scripts/run.sh): no chromium, no npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_ONLY=0
[ "${1:-}" = "--build-only" ] && BUILD_ONLY=1

TRUNK_VERSION=0.21.14
say() { printf '==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q " ${TRUNK_VERSION}\$"; then
  say "cargo install trunk ${TRUNK_VERSION}"
  cargo install trunk --version "${TRUNK_VERSION}" --locked
fi

# The CLI must equal the wasm-bindgen crate the app links, or its output
# does not load. Read the version from Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ -z "${WBG_VERSION}" ]; then
  echo "error: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WBG_VERSION}\$"; then
  say "cargo install wasm-bindgen-cli ${WBG_VERSION}"
  cargo install wasm-bindgen-cli --version "${WBG_VERSION}"
fi

missing=()
command -v wasm-opt >/dev/null || missing+=(binaryen)
if [ "$BUILD_ONLY" = 0 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install -y ${missing[*]}"
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "$BUILD_ONLY" = 1 ]; then
  say "build tools ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}')"
  exit 0
fi

if [ ! -d e2e/node_modules/playwright-core ] || [ ! -d e2e/node_modules/axe-core ] \
  || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  say "npm ci (e2e/)"
  # playwright-core never downloads browsers; the variable makes sure of it.
  (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

say "frontend tools ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}'), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
