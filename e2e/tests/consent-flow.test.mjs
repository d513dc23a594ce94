// The happy paths: sign up or in, consent, Authorize or Deny, and back to the
// app with what the server decided; then the app redeems the code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage } from '../lib/browser.mjs';
import { suiteWithApp } from '../lib/suite.mjs';
import { checkScreen } from '../lib/checks.mjs';
import { server } from '../lib/env.mjs';
import { ConsentPage, LoginPage, authorizeUrl, newUser, signUpViaApi } from '../lib/pages.mjs';
import { pkcePair, randomState } from '../lib/pkce.mjs';

const suite = suiteWithApp({
  name: 'Agent Builder',
  description: 'Builds and runs agents on your behalf.',
  scopes: ['EXECUTE_GRAPH', 'READ_GRAPH'],
});

function request(overrides = {}) {
  const { verifier, challenge } = pkcePair();
  const params = {
    client_id: suite.app.client_id,
    redirect_uri: suite.callback.url,
    scope: 'EXECUTE_GRAPH READ_GRAPH',
    state: randomState(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    response_type: 'code',
    ...overrides,
  };
  return { params, verifier };
}

/** Waits for the browser to land on the callback and returns its query. */
async function landing(page) {
  await page.waitForURL((u) => u.toString().startsWith(suite.callback.url));
  return Object.fromEntries(new URL(page.url()).searchParams);
}

async function exchange(code, verifier) {
  const res = await fetch(new URL('/api/oauth/token', server().baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'authorization_code',
      code,
      redirect_uri: suite.callback.url,
      client_id: suite.app.client_id,
      client_secret: suite.app.client_secret,
      code_verifier: verifier,
    }),
  });
  return { status: res.status, body: await res.json() };
}

test('a new person signs up from the consent link, authorizes, and the app gets tokens', async () => {
  const { context, page } = await newPage(suite.browser);
  const { params, verifier } = request();
  const consent = new ConsentPage(page);
  const login = new LoginPage(page);

  await consent.goto(params);
  await page.waitForURL(/\/auth\/login\?next=/);
  await login.signInButton.waitFor();
  await checkScreen(page, 'login');

  const user = newUser();
  await login.createAccountLink.click();
  await login.createAccountButton.waitFor();
  await checkScreen(page, 'signup');
  await login.email.fill(user.email);
  await login.password.fill(user.password);
  await login.createAccountButton.click();

  await consent.waitUntilShown();
  assert.equal(page.url(), authorizeUrl(params), 'back on the exact authorize URL');
  assert.equal((await consent.heading.textContent()).trim(), 'Agent Builder');
  assert.match(await page.locator('main').innerText(), /This application is requesting permission to:/);
  assert.equal(await consent.scopes.count(), 2);
  assert.match(await consent.scopes.nth(0).innerText(), /Execute agents\/graphs/);
  assert.match(await consent.scopes.nth(1).innerText(), /Read agent\/graph definitions/);
  assert.equal(await consent.redirectHost.textContent(), new URL(suite.callback.url).host);
  assert.match(await page.locator('main').innerText(), new RegExp(user.email.replace(/[.]/g, '\\.')));
  await checkScreen(page, 'consent');

  await consent.authorizeButton.click();
  const query = await landing(page);
  assert.equal(query.state, params.state, 'the same state comes back');
  assert.ok(query.code, 'a code comes back');
  assert.equal(query.error, undefined);

  const tokens = await exchange(query.code, verifier);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  assert.ok(tokens.body.access_token);
  assert.ok(tokens.body.refresh_token);
  assert.equal(tokens.body.token_type, 'Bearer');
  await context.close();
});

test('Deny sends the person back with access_denied and the state', async () => {
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, newUser());
  const { params } = request();
  const consent = new ConsentPage(page);
  await consent.goto(params);
  await consent.waitUntilShown();
  await consent.denyButton.click();
  const query = await landing(page);
  assert.equal(query.error, 'access_denied');
  assert.equal(query.error_description, 'User denied access');
  assert.equal(query.state, params.state);
  assert.equal(query.code, undefined);
  await context.close();
});

test('a signed-out person signs in and returns to the same request', async () => {
  const user = newUser();
  {
    const { context } = await newPage(suite.browser);
    await signUpViaApi(context, user);
    await context.close();
  }
  const { context, page } = await newPage(suite.browser);
  const { params, verifier } = request();
  const consent = new ConsentPage(page);
  const login = new LoginPage(page);
  await consent.goto(params);
  await page.waitForURL(/\/auth\/login\?next=/);
  const next = new URL(page.url()).searchParams.get('next');
  assert.ok(next.startsWith('/auth/authorize?'), next);

  await login.signIn(user.email, 'wrong password!');
  await login.alert.getByText('Incorrect email or password.').waitFor();
  await checkScreen(page, 'login-error');

  await login.signIn(user.email, user.password);
  await consent.waitUntilShown();
  assert.equal(page.url(), authorizeUrl(params));
  await consent.authorizeButton.click();
  const query = await landing(page);
  assert.equal(query.state, params.state);
  assert.equal((await exchange(query.code, verifier)).status, 200);
  await context.close();
});

test('switch account signs out and comes back as the other person', async () => {
  const first = newUser();
  const second = newUser();
  {
    const { context } = await newPage(suite.browser);
    await signUpViaApi(context, second);
    await context.close();
  }
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, first);
  const { params } = request();
  const consent = new ConsentPage(page);
  const login = new LoginPage(page);
  await consent.goto(params);
  await consent.waitUntilShown();
  assert.match(await page.locator('main').innerText(), new RegExp(first.email.replace(/[.]/g, '\\.')));

  await consent.switchAccount.click();
  await page.waitForURL(/\/auth\/login\?next=/);
  const me = await context.request.get(new URL('/api/auth/me', server().baseUrl).toString());
  assert.equal(me.status(), 401, 'the old session is gone');

  await login.signIn(second.email, second.password);
  await consent.waitUntilShown();
  assert.equal(page.url(), authorizeUrl(params));
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(second.email.replace(/[.]/g, '\\.')));
  assert.doesNotMatch(text, new RegExp(first.email.replace(/[.]/g, '\\.')));
  await context.close();
});

test('the consent can be given with the keyboard alone', async () => {
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, newUser());
  const { params } = request();
  const consent = new ConsentPage(page);
  await consent.goto(params);
  await consent.waitUntilShown();
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'Authorize'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
  }
  assert.equal(focused, 'Authorize', 'Authorize is reachable with Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused button shows a focus ring');
  await page.keyboard.press('Enter');
  const query = await landing(page);
  assert.ok(query.code);
  assert.equal(query.state, params.state);
  await context.close();
});

test('both buttons are disabled with progress while the decision is in flight', async () => {
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, newUser());
  const { params } = request();
  const consent = new ConsentPage(page);
  let release;
  const held = new Promise((r) => (release = r));
  await page.route('**/api/oauth/authorize', async (route) => {
    await held;
    await route.continue();
  });
  await consent.goto(params);
  await consent.waitUntilShown();
  await consent.authorizeButton.click();
  const busy = page.getByRole('button', { name: 'Authorizing…' });
  await busy.waitFor();
  assert.equal(await busy.isDisabled(), true);
  assert.equal(await consent.denyButton.isDisabled(), true);
  assert.equal(await busy.getAttribute('aria-busy'), 'true');
  await checkScreen(page, 'consent-in-flight');
  release();
  const query = await landing(page);
  assert.ok(query.code);
  await context.close();
});

test('the sign-in page only ever returns to a path on this origin', async () => {
  const user = newUser();
  {
    const { context } = await newPage(suite.browser);
    await signUpViaApi(context, user);
    await context.close();
  }
  for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
    const { context, page } = await newPage(suite.browser);
    const login = new LoginPage(page);
    const url = new URL('/auth/login', server().baseUrl);
    url.searchParams.set('next', next);
    await page.goto(url.toString());
    await login.signIn(user.email, user.password);
    await page.getByRole('heading', { name: "You're signed in" }).waitFor();
    assert.equal(page.url(), new URL('/', server().baseUrl).toString(), `next=${next}`);
    if (next.startsWith('https')) await checkScreen(page, 'home');
    await context.close();
  }
});
