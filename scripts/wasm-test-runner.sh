#!/usr/bin/env bash
# Cargo's runner for the consent screen's wasm tests (scripts/test.sh):
# wasm-bindgen-test-runner under node, after dropping the module's
# `target_features` section, as the release build's `strip = true` does (see
# .cargo/config.toml: without it wasm-bindgen expects an externref runtime
# that `-reference-types` left out).
set -euo pipefail
wasm="$1"
shift
stripped="${wasm%.wasm}.stripped.wasm"
wasm-opt "$wasm" --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-multivalue -o "$stripped"
exec wasm-bindgen-test-runner "$stripped" "$@"
