// Every row of the seed's error table, plus the network/5xx, not-found,
// no-script screens and the security headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disableApp, generateApp } from '../lib/admin.mjs';
import { newPage, screenshot } from '../lib/browser.mjs';
import { suiteWithApp } from '../lib/suite.mjs';
import { checkScreen } from '../lib/checks.mjs';
import { server } from '../lib/env.mjs';
import { ConsentPage, ErrorPage, LoginPage, authorizeUrl, newUser, signUpViaApi } from '../lib/pages.mjs';
import { pkcePair, randomState } from '../lib/pkce.mjs';

const suite = suiteWithApp({
  name: 'Graph Reader',
  description: 'Reads your agents.',
  scopes: ['READ_GRAPH', 'EXECUTE_GRAPH'],
});

function params(overrides = {}) {
  return {
    client_id: suite.app.client_id,
    redirect_uri: suite.callback.url,
    scope: 'READ_GRAPH',
    state: randomState(),
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    response_type: 'code',
    ...overrides,
  };
}

/** A page in a context that is already signed in. */
async function signedIn() {
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, newUser());
  return { context, page };
}

/** Opens the authorize URL and returns the error screen's title and text; asserts nothing left our origin. */
async function errorScreen(page, p, screenshotName) {
  const hitsBefore = suite.callback.hits.length;
  await page.goto(authorizeUrl(p));
  const error = new ErrorPage(page);
  const title = await error.title();
  const text = await error.text();
  assert.ok(page.url().startsWith(server().baseUrl), 'still on our origin');
  assert.equal(suite.callback.hits.length, hitsBefore, 'nothing reached the app');
  if (screenshotName) await checkScreen(page, screenshotName);
  return { title, text };
}

test('missing client_id → Invalid Request naming it, without a network call', async () => {
  const { context, page } = await newPage(suite.browser);
  const apiCalls = [];
  page.on('request', (r) => r.url().includes('/api/') && apiCalls.push(r.url()));
  const { title, text } = await errorScreen(page, params({ client_id: undefined }), 'error-invalid-request');
  assert.equal(title, 'Invalid Request');
  assert.match(text, /client_id/);
  assert.deepEqual(apiCalls, []);
  await context.close();
});

test('missing code_challenge → Invalid Request naming it', async () => {
  const { context, page } = await newPage(suite.browser);
  const { title, text } = await errorScreen(page, params({ code_challenge: undefined }));
  assert.equal(title, 'Invalid Request');
  assert.match(text, /code_challenge/);
  await context.close();
});

test('unknown client_id → Application Not Found', async () => {
  const { context, page } = await newPage(suite.browser);
  const { title } = await errorScreen(page, params({ client_id: 'agpt_client_doesnotexist' }), 'error-app-not-found');
  assert.equal(title, 'Application Not Found');
  await context.close();
});

test('disabled application → Application Not Found', async () => {
  const disabled = await generateApp({ redirectUris: [suite.callback.url], scopes: ['READ_GRAPH'] });
  await disableApp(disabled.client_id);
  const { context, page } = await signedIn();
  const { title } = await errorScreen(page, params({ client_id: disabled.client_id }));
  assert.equal(title, 'Application Not Found');
  await context.close();
});

test('unregistered redirect_uri → an error page at once; the API answers 400 and nothing redirects', async () => {
  const { context, page } = await signedIn();
  const p = params({ redirect_uri: 'http://127.0.0.1:9/evil' });
  const answer = page.waitForResponse('**/api/oauth/app/**');
  await new ConsentPage(page).goto(p);
  assert.equal((await answer).status(), 400);
  const error = new ErrorPage(page);
  assert.equal(await error.title(), 'Invalid Redirect URI');
  assert.match(await error.text(), /redirect_uri/);
  assert.equal(await page.getByRole('button', { name: 'Authorize' }).count(), 0, 'no consent offered');
  assert.ok(page.url().startsWith(server().baseUrl));
  // The decision endpoint refuses it too, whatever a page might post.
  const res = await context.request.post(new URL('/api/oauth/authorize', server().baseUrl).toString(), {
    data: { ...p, decision: 'approve' },
  });
  assert.equal(res.status(), 400);
  assert.equal((await res.json()).error, 'redirect_uri_not_registered');
  await checkScreen(page, 'error-invalid-redirect-uri');
  await context.close();
});

test('unknown scope → back to the app with error=invalid_scope and the state', async () => {
  const { context, page } = await signedIn();
  const p = params({ scope: 'READ_GRAPH NOT_A_SCOPE' });
  await page.goto(authorizeUrl(p));
  await page.waitForURL((u) => u.toString().startsWith(suite.callback.url));
  const query = Object.fromEntries(new URL(page.url()).searchParams);
  assert.equal(query.error, 'invalid_scope');
  assert.equal(query.state, p.state);
  assert.equal(query.code, undefined);
  await context.close();
});

test('a scope the app may not request → Invalid Scopes naming it', async () => {
  const { context, page } = await signedIn();
  const { title, text } = await errorScreen(page, params({ scope: 'READ_GRAPH USE_TOOLS DELETE_INTEGRATIONS' }), 'error-invalid-scopes');
  assert.equal(title, 'Invalid Scopes');
  assert.match(text, /USE_TOOLS/);
  assert.match(text, /DELETE_INTEGRATIONS/);
  await context.close();
});

test('response_type other than code → back to the app with unsupported_response_type', async () => {
  const { context, page } = await signedIn();
  const p = params({ response_type: 'token' });
  await page.goto(authorizeUrl(p));
  await page.waitForURL((u) => u.toString().startsWith(suite.callback.url));
  const query = Object.fromEntries(new URL(page.url()).searchParams);
  assert.equal(query.error, 'unsupported_response_type');
  assert.equal(query.state, p.state);
  await context.close();
});

test('a network failure or 5xx shows Retry, and Retry recovers', async () => {
  const { context, page } = await signedIn();
  let failures = 0;
  await page.route('**/api/oauth/app/**', async (route) => {
    failures += 1;
    if (failures === 1) return route.abort('connectionrefused');
    if (failures === 2) {
      return route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'server_error', error_description: 'down' }),
      });
    }
    return route.continue();
  });
  // The aborted request is logged by the browser; that is the point here.
  page.problems.length = 0;
  const error = new ErrorPage(page);
  await page.goto(authorizeUrl(params()));
  assert.equal(await error.title(), 'Something Went Wrong');
  await screenshotWithoutConsoleCheck(page, 'error-unavailable');
  await error.retry.click();
  await page.getByText('The server answered with status 503.').waitFor();
  await error.retry.click();
  await new ConsentPage(page).waitUntilShown();
  await context.close();
});

async function screenshotWithoutConsoleCheck(page, name) {
  page.problems.length = 0;
  await checkScreen(page, name);
}

test('the loading state is shown while the app is fetched', async () => {
  const { context, page } = await signedIn();
  let release;
  const held = new Promise((r) => (release = r));
  await page.route('**/api/oauth/app/**', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(authorizeUrl(params()));
  await page.getByRole('status').getByText('Loading application…').waitFor();
  await checkScreen(page, 'loading');
  release();
  await new ConsentPage(page).waitUntilShown();
  await context.close();
});

test('an unknown path → the not-found page with status 404; /api paths stay JSON', async () => {
  const { context, page } = await newPage(suite.browser);
  const res = await page.goto(new URL('/no/such/page', server().baseUrl).toString());
  assert.equal(res.status(), 404);
  assert.equal(await new ErrorPage(page).title(), 'Page Not Found');
  await checkScreen(page, 'not-found');
  const api = await context.request.get(new URL('/api/no/such/endpoint', server().baseUrl).toString());
  assert.equal(api.status(), 404);
  assert.equal((await api.json()).error, 'not_found');
  await context.close();
});

test('without JavaScript the page says it is needed', async () => {
  const { context, page } = await newPage(suite.browser, { javaScriptEnabled: false });
  await page.goto(authorizeUrl(params()));
  await page.getByRole('heading', { name: 'JavaScript is required' }).waitFor();
  // No axe here: with scripts off, the page cannot run it either.
  await screenshot(page, 'noscript');
  await context.close();
});

test('the app is served with its security headers', async () => {
  const { context, page } = await newPage(suite.browser);
  const res = await page.goto(authorizeUrl(params()));
  const h = res.headers();
  assert.match(h['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(h['x-frame-options'], 'DENY');
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.equal(h['cache-control'], 'no-cache');
  await new LoginPage(page).signInButton.waitFor();
  assert.deepEqual(page.problems, [], 'the policy blocks nothing the app needs');
  await context.close();
});
