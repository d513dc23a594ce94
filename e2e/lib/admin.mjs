// The `oauth-admin` CLI, the only way apps come to exist. One function per
// command the suite uses, so the interface lives in one place.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { adminBin, server } from './env.mjs';

const run = promisify(execFile);

async function admin(args, input) {
  const { databaseUrl } = server();
  const child = run(adminBin, args, { env: { ...process.env, DATABASE_URL: databaseUrl } });
  if (input !== undefined) {
    child.child.stdin.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

let counter = 0;

/**
 * Registers an app and returns `{client_id, client_secret, ...}`. A `public`
 * app (a browser or native app: no secret, PKCE S256) has no client_secret.
 * `postLogoutRedirectUris` are where RP-initiated logout may send people back to.
 * @param {{name?: string, description?: string, redirectUris: string[], scopes: string[], public?: boolean, postLogoutRedirectUris?: string[]}} opts
 */
export async function generateApp({ name, description, redirectUris, scopes, public: isPublic = false, postLogoutRedirectUris }) {
  counter += 1;
  const out = await admin([
    'generate-app',
    '--name', name ?? `Test App ${counter}`,
    '--description', description ?? 'Builds and runs agents on your behalf.',
    '--redirect-uris', redirectUris.join(','),
    '--scopes', scopes.join(','),
    ...(postLogoutRedirectUris?.length ? ['--post-logout-redirect-uris', postLogoutRedirectUris.join(',')] : []),
    ...(isPublic ? ['--public'] : []),
    '--apply',
    '--json',
  ]);
  return JSON.parse(out);
}

/**
 * Registers a protected resource (a service that accepts our access tokens
 * and introspects them with its own credentials); returns
 * `{resource_id, resource_secret, uri, name}`.
 * @param {{uri: string, name: string}} opts
 */
export async function registerResource({ uri, name }) {
  return JSON.parse(await admin(['register-resource', '--uri', uri, '--name', name, '--json']));
}

export async function disableApp(clientId) {
  await admin(['disable-app', clientId]);
}

/**
 * Creates a user (password on stdin, as the CLI wants it); returns `{user_id, email, ...}`.
 * `name` is the OpenID Connect `name` claim (with the `profile` scope).
 */
export async function createUser({ email, password, name }) {
  const args = ['create-user', '--email', email, ...(name ? ['--name', name] : []), '--json'];
  return JSON.parse(await admin(args, `${password}\n`));
}

/** Every registered app, as `list-apps --json` prints them. */
export async function listApps() {
  return JSON.parse(await admin(['list-apps', '--json']));
}
