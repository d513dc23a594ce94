// A public single-page app on another origin (its own port on 127.0.0.1):
// it discovers our metadata, sends the person to the consent screen with
// PKCE S256, and back on its callback page exchanges the code, refreshes and
// revokes, all with fetch from inside the page (oauth4webapi's ESM build),
// so every call is a cross-origin request the server must allow (CORS).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateApp } from '../lib/admin.mjs';
import { launch, newPage } from '../lib/browser.mjs';
import { checkScreen } from '../lib/checks.mjs';
import { server } from '../lib/env.mjs';
import { ConsentPage, newUser, signUpViaApi } from '../lib/pages.mjs';

const require = createRequire(import.meta.url);
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'spa');
const SCOPES = ['EXECUTE_GRAPH', 'READ_GRAPH'];
const CORS_PATHS = ['/.well-known/oauth-authorization-server', '/api/oauth/token', '/api/oauth/revoke'];

/** Serves the SPA: its page (at / and /callback), its script, its config, and oauth4webapi. */
async function startSpaServer() {
  const oauth4webapi = fs.readFileSync(require.resolve('oauth4webapi'), 'utf8');
  const spa = { config: null };
  const srv = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (pathname === '/' || pathname === '/callback') {
      send('text/html', fs.readFileSync(path.join(fixtures, 'index.html'), 'utf8'));
    } else if (pathname === '/app.js') {
      send('text/javascript', fs.readFileSync(path.join(fixtures, 'app.js'), 'utf8'));
    } else if (pathname === '/vendor/oauth4webapi.js') {
      send('text/javascript', oauth4webapi);
    } else if (pathname === '/config.js') {
      send('text/javascript', Object.entries(spa.config).map(([k, v]) => `export const ${k} = ${JSON.stringify(v)};`).join('\n'));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  spa.origin = `http://127.0.0.1:${srv.address().port}`;
  spa.callbackUrl = `${spa.origin}/callback`;
  spa.close = () => new Promise((r) => {
    srv.closeAllConnections?.();
    srv.close(() => r());
  });
  return spa;
}

const s = {};

before(async () => {
  s.browser = await launch();
  s.spa = await startSpaServer();
  assert.notEqual(new URL(s.spa.origin).origin, new URL(server().baseUrl).origin, 'the SPA is on another origin');
  s.app = await generateApp({
    name: 'Example Browser App',
    description: 'A single-page app that runs in your browser.',
    redirectUris: [s.spa.callbackUrl],
    scopes: SCOPES,
    public: true,
  });
  assert.ok(s.app.client_id, JSON.stringify(s.app));
  assert.ok(!s.app.client_secret, `a public app has no secret: ${JSON.stringify(s.app)}`);
  s.spa.config = {
    issuer: server().baseUrl,
    clientId: s.app.client_id,
    redirectUri: s.spa.callbackUrl,
    scope: SCOPES.join(' '),
  };
});

after(async () => {
  await s.browser?.close();
  await s.spa?.close();
});

/** The SPA's report, once its script says it is ready, done, or failed. */
async function spaReport(page) {
  await page.waitForFunction(() => ['ready', 'done', 'failed'].includes(document.body.dataset.state));
  return page.evaluate(() => window.spa);
}

test('a public SPA on another origin signs in with code + PKCE, refreshes and revokes from the page (CORS)', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(s.browser);
  await signUpViaApi(context, newUser());

  // Every answer from the API to the SPA's cross-origin fetches, as the network saw it.
  const apiOrigin = new URL(server().baseUrl).origin;
  const cors = [];
  const seen = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin !== apiOrigin || !CORS_PATHS.includes(url.pathname)) return;
    const request = response.request();
    if (request.resourceType() !== 'fetch') return;
    seen.push((async () => {
      cors.push({
        method: request.method(),
        path: url.pathname,
        status: response.status(),
        origin: await request.headerValue('origin'),
        allowOrigin: await response.headerValue('access-control-allow-origin'),
        allowCredentials: await response.headerValue('access-control-allow-credentials'),
      });
    })());
  });

  await page.goto(`${s.spa.origin}/`);
  const ready = await spaReport(page);
  assert.equal(ready.state, 'ready', JSON.stringify(ready, null, 2));
  assert.equal(ready.steps.preflight.ok, true, 'discovery with MCP-Protocol-Version passes the CORS preflight');
  const authorizeUrl = new URL(ready.authorizeUrl);
  assert.equal(authorizeUrl.origin + authorizeUrl.pathname, `${server().baseUrl}/auth/authorize`);
  assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');

  await page.getByRole('link', { name: 'Sign in with AutoGPT' }).click();
  const consent = new ConsentPage(page);
  await consent.waitUntilShown();
  assert.equal((await consent.heading.textContent()).trim(), 'Example Browser App');
  assert.equal(await consent.redirectHost.textContent(), new URL(s.spa.callbackUrl).host);
  assert.doesNotMatch(await page.locator('main').innerText(), /unverified|not verified/i, 'an operator-registered app is not marked unverified');
  await checkScreen(page, 'consent-spa');
  await consent.authorizeButton.click();

  await page.waitForURL((u) => u.toString().startsWith(s.spa.callbackUrl));
  const done = await spaReport(page);
  assert.equal(done.state, 'done', JSON.stringify(done, null, 2));
  const { exchange, refresh, revoke, refreshAfterRevoke } = done.steps;
  assert.equal(exchange.ok, true);
  assert.equal(exchange.has_access_token, true);
  assert.equal(exchange.has_refresh_token, true);
  assert.match(exchange.token_type, /^bearer$/i);
  assert.equal(refresh.ok, true);
  assert.equal(refresh.new_access_token, true, 'the refresh issued a new access token');
  assert.equal(revoke.ok, true);
  assert.equal(revoke.status, 200);
  assert.equal(refreshAfterRevoke.refused, true, 'the revoked refresh token no longer works');
  assert.equal(refreshAfterRevoke.ok, true, JSON.stringify(refreshAfterRevoke));
  assert.equal(refreshAfterRevoke.error, 'invalid_grant');

  // The browser let the page read every answer because each one carried CORS headers.
  await Promise.all(seen);
  for (const p of CORS_PATHS) {
    assert.ok(cors.some((c) => c.path === p), `the page fetched ${p}: ${JSON.stringify(cors)}`);
  }
  for (const c of cors) {
    assert.equal(c.origin, s.spa.origin, `${c.method} ${c.path} came from the SPA's origin`);
    assert.ok(c.allowOrigin === '*' || c.allowOrigin === s.spa.origin, `${c.method} ${c.path} (${c.status}) carries access-control-allow-origin: ${JSON.stringify(c)}`);
    assert.notEqual(c.allowCredentials, 'true', `${c.method} ${c.path}: no credentials`);
  }
  assert.ok(cors.filter((c) => c.path === '/api/oauth/token').length >= 3, 'code exchange, refresh, refresh after revocation');
  assert.deepEqual(page.problems, [], 'no script errors on the SPA');
  await context.close();
});
