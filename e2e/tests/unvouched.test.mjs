// RFC 9700 §4.11.2 and RFC 8252 §8.6 in the browser: apps nobody vouched
// for (dynamic registration) never get a visitor sent to them unseen, their
// hosts are shown as a URL parser reads them, and operator-registered public
// native apps never get a code without the screen.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newPage } from '../lib/browser.mjs';
import { generateApp } from '../lib/admin.mjs';
import { launch } from '../lib/browser.mjs';
import { startCallbackServer } from '../lib/callback.mjs';
import { checkScreen } from '../lib/checks.mjs';
import { server } from '../lib/env.mjs';
import { ConsentPage, ErrorPage, LoginPage, newUser, signUpViaApi } from '../lib/pages.mjs';
import { pkcePair, randomState } from '../lib/pkce.mjs';

const s = {};
before(async () => {
  s.browser = await launch();
  s.callback = await startCallbackServer();
});
after(async () => {
  await s.browser?.close();
  await s.callback?.close();
});

async function register(metadata) {
  const res = await fetch(new URL('/api/oauth/register', server().baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token_endpoint_auth_method: 'none', scope: 'READ_GRAPH', ...metadata }),
  });
  return { status: res.status, body: await res.json() };
}

async function selfRegistered() {
  const r = await register({
    client_name: 'Nobody Vouched',
    redirect_uris: [s.callback.url],
    post_logout_redirect_uris: [`${s.callback.origin}/bye`],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.client_id;
}

/** `/api/oauth/authorize?…` (what an app links to) for `client_id`. */
function authorizeUrl(clientId, extra = {}) {
  const { challenge } = pkcePair();
  const url = new URL('/api/oauth/authorize', server().baseUrl);
  const params = {
    client_id: clientId,
    redirect_uri: s.callback.url,
    scope: 'READ_GRAPH',
    state: randomState(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    response_type: 'code',
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

const hitsSince = (n) => s.callback.requests.slice(n);

test('an unvouched app with a broken request: no redirect before or after sign-in; the person sees the host and chooses', async () => {
  const clientId = await selfRegistered();
  const { context, page } = await newPage(s.browser);
  const before = s.callback.requests.length;
  // No response_type: an error that would go back to the app.
  await page.goto(authorizeUrl(clientId, { response_type: undefined }));
  const user = newUser();
  const login = new LoginPage(page);
  await login.signUp(user.email, user.password);
  const error = new ErrorPage(page);
  assert.equal(await error.title(), 'Invalid Request');
  assert.match(await error.text(), /response_type/);
  assert.equal(await page.getByTestId('redirect-host').textContent(), new URL(s.callback.url).host);
  await checkScreen(page, 'unvouched-problem');
  assert.deepEqual(hitsSince(before), [], 'nobody was sent to the app unseen');
  await page.getByRole('button', { name: 'Return to the app' }).click();
  await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
  const q = Object.fromEntries(new URL(page.url()).searchParams);
  assert.equal(q.error, 'invalid_request', 'the app learns the problem on the click');
  assert.equal(q.iss, server().baseUrl);
  await context.close();
});

test('prompt=none with a broken request from an unvouched app: the problem is shown, and Return reports it (no loop)', async () => {
  const clientId = await selfRegistered();
  const { context, page } = await newPage(s.browser);
  await signUpViaApi(context, newUser());
  const before = s.callback.requests.length;
  await page.goto(authorizeUrl(clientId, { response_type: undefined, prompt: 'none' }));
  const error = new ErrorPage(page);
  assert.equal(await error.title(), 'Invalid Request');
  assert.deepEqual(hitsSince(before), [], 'nobody was sent to the app unseen');
  await page.getByRole('button', { name: 'Return to the app' }).click();
  await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
  assert.equal(new URL(page.url()).searchParams.get('error'), 'invalid_request');
  await context.close();
});

test('prompt=none from an unvouched app: a signed-out visitor signs in first; only then is the app answered', async () => {
  const clientId = await selfRegistered();
  const { context, page } = await newPage(s.browser);
  const before = s.callback.requests.length;
  await page.goto(authorizeUrl(clientId, { prompt: 'none' }));
  const login = new LoginPage(page);
  await login.createAccountLink.waitFor();
  assert.deepEqual(hitsSince(before), [], 'no login_required sent to an unvouched app');
  const user = newUser();
  await login.signUp(user.email, user.password);
  await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
  const q = Object.fromEntries(new URL(page.url()).searchParams);
  assert.equal(q.error, 'consent_required', 'never remembered, so never silent');
  await context.close();
});

test('logout for an unvouched app asks first and names where it goes', async () => {
  const clientId = await selfRegistered();
  const { context, page } = await newPage(s.browser);
  await signUpViaApi(context, newUser());
  const before = s.callback.requests.length;
  const url = new URL('/api/oauth/logout', server().baseUrl);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('post_logout_redirect_uri', `${s.callback.origin}/bye`);
  url.searchParams.set('state', 'st');
  await page.goto(url.toString());
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/auth/logout');
  assert.equal(await page.getByTestId('redirect-host').textContent(), new URL(s.callback.url).host);
  assert.deepEqual(hitsSince(before), [], 'nobody sent on unasked');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.toString().startsWith(`${s.callback.origin}/bye`));
  assert.equal(new URL(page.url()).searchParams.get('state'), 'st');
  await context.close();
});

test('the shown host is the one a URL parser reads: spoofs are refused, IDNs shown in punycode', async () => {
  const spoof = await register({ client_name: 'Spoof', redirect_uris: ['https://evil.example\\@claude.ai/cb'] });
  assert.equal(spoof.status, 400);
  assert.equal(spoof.body.error, 'invalid_redirect_uri');
  const unicode = await register({ client_name: 'Books', redirect_uris: ['https://bücher.example/cb'] });
  assert.equal(unicode.status, 400, 'a host that is not in its serialised form');
  const puny = await register({ client_name: 'Books', redirect_uris: ['https://xn--bcher-kva.example/cb'] });
  assert.equal(puny.status, 201);
  const { context, page } = await newPage(s.browser);
  await signUpViaApi(context, newUser());
  const url = new URL('/auth/authorize', server().baseUrl);
  const { challenge } = pkcePair();
  for (const [k, v] of Object.entries({
    client_id: puny.body.client_id,
    redirect_uri: 'https://xn--bcher-kva.example/cb',
    scope: 'READ_GRAPH',
    state: randomState(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    response_type: 'code',
  })) url.searchParams.set(k, v);
  await page.goto(url.toString());
  const consent = new ConsentPage(page);
  await consent.waitUntilShown();
  assert.equal(await consent.redirectHost.textContent(), 'xn--bcher-kva.example');
  await context.close();
});

test("an operator's public native app (loopback redirect) is asked every time, prefilled; prompt=none is refused", async () => {
  const app = await generateApp({ name: 'Desktop Agent', redirectUris: [s.callback.url], scopes: ['READ_GRAPH'], public: true });
  const { context, page } = await newPage(s.browser);
  await signUpViaApi(context, newUser());
  const consent = new ConsentPage(page);
  const go = (extra = {}) => {
    const u = new URL(authorizeUrl(app.client_id, extra));
    u.pathname = '/auth/authorize';
    return page.goto(u.toString());
  };
  await go();
  await consent.waitUntilShown();
  await consent.authorizeButton.click();
  await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
  assert.ok(new URL(page.url()).searchParams.get('code'));
  // Allowed before, yet any local process could pose as this app: the screen again.
  await go();
  await consent.waitUntilShown();
  assert.match(await page.locator('main').innerText(), /Already allowed/);
  await go({ prompt: 'none' });
  await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
  assert.equal(new URL(page.url()).searchParams.get('error'), 'consent_required');
  await context.close();
});
