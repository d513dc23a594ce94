// Where the suite finds what it runs against. scripts/e2e.sh sets these; the
// defaults fit a plain `cargo build` and `trunk build` at the repo root.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR
  ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR)
  : path.join(repoRoot, 'target');

export const apiBin = process.env.API_BIN ?? path.join(targetDir, 'debug', 'api');
export const adminBin = process.env.ADMIN_BIN ?? path.join(targetDir, 'debug', 'oauth-admin');
export const distDir = process.env.DIST_DIR ?? path.join(repoRoot, 'dist');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = path.join(repoRoot, 'e2e', 'screenshots');

let own;

/**
 * Points this test file's helpers (admin.mjs, pages.mjs) at an API the file
 * started itself (see `startApi` with extra flags) instead of the shared one.
 * @param {{baseUrl: string, databaseUrl: string} | undefined} api
 */
export function useServer(api) {
  own = api ? { baseUrl: api.baseUrl, databaseUrl: api.databaseUrl } : undefined;
}

/** Set by run.mjs (the global setup) for the test files it starts, unless `useServer` said otherwise. */
export function server() {
  if (own) return own;
  const baseUrl = process.env.E2E_BASE_URL;
  const databaseUrl = process.env.E2E_DATABASE_URL;
  if (!baseUrl || !databaseUrl) {
    throw new Error('E2E_BASE_URL / E2E_DATABASE_URL unset: run the suite with `node run.mjs` (or scripts/e2e.sh)');
  }
  return { baseUrl, databaseUrl };
}
