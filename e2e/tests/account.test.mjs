// The person stays in control: consent remembered (only where it may be),
// asked again for what is new, narrowed by unticking, listed and removed on
// the connected-apps page (its tokens then dead), and sign out everywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage } from '../lib/browser.mjs';
import { suiteWithApp } from '../lib/suite.mjs';
import { checkScreen } from '../lib/checks.mjs';
import { server } from '../lib/env.mjs';
import { ConsentPage, LoginPage, newUser, signUpViaApi } from '../lib/pages.mjs';
import { pkcePair, randomState } from '../lib/pkce.mjs';

const suite = suiteWithApp({
  name: 'Agent Builder',
  description: 'Builds and runs agents on your behalf.',
  scopes: ['EXECUTE_GRAPH', 'READ_GRAPH', 'READ_STORE'],
});

function request(scope, extra = {}, client = suite.app) {
  const { verifier, challenge } = pkcePair();
  const url = new URL('/auth/authorize', server().baseUrl);
  const params = {
    client_id: client.client_id,
    redirect_uri: suite.callback.url,
    scope,
    state: randomState(),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    response_type: 'code',
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url: url.toString(), params, verifier };
}

async function landing(page) {
  await page.waitForURL((u) => u.toString().startsWith(suite.callback.url));
  return Object.fromEntries(new URL(page.url()).searchParams);
}

async function post(path, form, client = suite.app) {
  const res = await fetch(new URL(path, server().baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: await res.json() };
}

const exchange = (code, verifier) =>
  post('/api/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: suite.callback.url, code_verifier: verifier });
const introspect = (token) => post('/api/oauth/introspect', { token });

/** Signs a new person up in a fresh context and approves `scope` once. */
async function approvedOnce(scope) {
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, newUser());
  const r = request(scope);
  await page.goto(r.url);
  const consent = new ConsentPage(page);
  await consent.waitUntilShown();
  await consent.authorizeButton.click();
  const q = await landing(page);
  const tokens = await exchange(q.code, r.verifier);
  assert.equal(tokens.status, 200);
  return { context, page, tokens: tokens.body };
}

test('a second authorization with the same scopes needs no click; a new scope is asked about as new', async () => {
  const { context, page } = await approvedOnce('READ_GRAPH');

  const again = request('READ_GRAPH');
  await page.goto(again.url);
  const q = await landing(page);
  assert.ok(q.code, 'straight back with a code');
  assert.equal(q.state, again.params.state);
  assert.equal((await exchange(q.code, again.verifier)).body.scope, 'READ_GRAPH');

  // One new scope: the screen, with the new one marked new.
  await page.goto(request('EXECUTE_GRAPH READ_GRAPH').url);
  const consent = new ConsentPage(page);
  await consent.waitUntilShown();
  const rows = consent.scopes;
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /Execute agents\/graphs[\s\S]*New/);
  assert.match(await rows.nth(1).innerText(), /Read agent\/graph[\s\S]*Already allowed/);
  await checkScreen(page, 'consent-incremental');

  // prompt=consent shows the screen even for what was allowed.
  await page.goto(request('READ_GRAPH', { prompt: 'consent' }).url);
  await consent.waitUntilShown();
  await context.close();
});

test('an app that registered itself is asked about every time', async () => {
  const reg = await fetch(new URL('/api/oauth/register', server().baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Self Registered',
      redirect_uris: [suite.callback.url],
      token_endpoint_auth_method: 'none',
      scope: 'READ_GRAPH',
    }),
  });
  assert.equal(reg.status, 201);
  const dynamic = await reg.json();
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, newUser());
  const consent = new ConsentPage(page);
  for (let i = 0; i < 2; i += 1) {
    await page.goto(request('READ_GRAPH', {}, dynamic).url);
    await consent.waitUntilShown();
    await page.getByTestId('unverified').waitFor();
    await consent.authorizeButton.click();
    assert.ok((await landing(page)).code);
  }
  await context.close();
});

test('unticking a scope grants only the rest; introspection says so', async () => {
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, newUser());
  const r = request('EXECUTE_GRAPH READ_GRAPH READ_STORE');
  await page.goto(r.url);
  const consent = new ConsentPage(page);
  await consent.waitUntilShown();
  const execute = page.getByRole('checkbox', { name: /Execute agents\/graphs/ });
  assert.ok(await execute.isChecked());
  await execute.uncheck();
  // Nothing left ticked: Authorize is off until one is ticked again.
  await page.getByRole('checkbox', { name: /Read agent\/graph/ }).uncheck();
  await page.getByRole('checkbox', { name: /store/i }).uncheck();
  assert.ok(await consent.authorizeButton.isDisabled());
  await page.getByRole('checkbox', { name: /Read agent\/graph/ }).check();
  await page.getByRole('checkbox', { name: /store/i }).check();
  await checkScreen(page, 'consent-choice');
  await consent.authorizeButton.click();
  const q = await landing(page);
  const tokens = await exchange(q.code, r.verifier);
  assert.equal(tokens.body.scope, 'READ_GRAPH READ_STORE');
  const info = await introspect(tokens.body.access_token);
  assert.equal(info.body.active, true);
  assert.equal(info.body.scope, 'READ_GRAPH READ_STORE');
  await context.close();
});

test('the apps page lists the app and removing its access, by keyboard, ends its tokens', async () => {
  const { context, page, tokens } = await approvedOnce('EXECUTE_GRAPH READ_GRAPH');
  assert.equal((await introspect(tokens.access_token)).body.active, true);

  await page.goto(new URL('/account/apps', server().baseUrl).toString());
  const item = page.getByTestId('connected-app');
  await item.waitFor();
  assert.equal(await item.count(), 1);
  const text = await item.innerText();
  assert.match(text, /Agent Builder/);
  assert.match(text, /Verified by AutoGPT/);
  assert.match(text, /Execute agents\/graphs/);
  assert.match(text, /Allowed since\s+\d{4}-\d{2}-\d{2}/);
  assert.match(text, /Last used\s+\d{4}-\d{2}-\d{2}/);
  await checkScreen(page, 'connected-apps');

  // Keyboard only: Tab to "Remove access", Enter, focus is on the confirmation.
  const remove = page.getByRole('button', { name: 'Remove access' });
  for (let i = 0; i < 20 && !(await remove.evaluate((b) => b === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  assert.ok(await remove.evaluate((b) => b === document.activeElement), 'reachable by Tab');
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('group', { name: 'Confirm removal' }).getByRole('button', { name: 'Remove access' });
  await confirm.waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent?.includes('Remove access'));
  await checkScreen(page, 'connected-apps-confirm');
  await page.keyboard.press('Enter');
  await page.getByTestId('no-apps').waitFor();
  assert.match(await page.getByRole('status').first().innerText(), /Access removed for Agent Builder/);

  assert.equal((await introspect(tokens.access_token)).body.active, false);
  const refreshed = await post('/api/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
  assert.equal(refreshed.status, 400);
  assert.equal(refreshed.body.error, 'invalid_grant');
  await context.close();
});

test('sign out everywhere ends the sessions of every browser', async () => {
  const user = newUser();
  const one = await newPage(suite.browser);
  await signUpViaApi(one.context, user);
  const two = await newPage(suite.browser);
  const login = await two.context.request.post(new URL('/api/auth/login', server().baseUrl).toString(), { data: user });
  assert.equal(login.status(), 200);

  await one.page.goto(new URL('/account/apps', server().baseUrl).toString());
  await one.page.getByTestId('no-apps').waitFor();
  await one.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await one.page.waitForURL(/\/auth\/signed-out$/);
  for (const { context } of [one, two]) {
    const me = await context.request.get(new URL('/api/auth/me', server().baseUrl).toString());
    assert.equal(me.status(), 401);
  }
  // Signed out, the page sends the person to sign in and back.
  await two.page.goto(new URL('/account/apps', server().baseUrl).toString());
  await two.page.waitForURL(/\/auth\/login\?next=%2Faccount%2Fapps$/);
  await one.context.close();
  await two.context.close();
});

test('the screens speak German by ui_locales or the browser, with <html lang>, and the switch changes it', async () => {
  // ui_locales on the request, in an English browser.
  {
    const { context, page } = await newPage(suite.browser, { locale: 'en-US' });
    await signUpViaApi(context, newUser());
    await page.goto(request('READ_GRAPH', { ui_locales: 'fr de' }).url);
    await page.getByRole('button', { name: 'Autorisieren' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    const text = await page.locator('main').innerText();
    assert.match(text, /Diese Anwendung bittet um die Erlaubnis/);
    assert.match(text, /Agenten-\/Graph-Definitionen und Ausführungsergebnisse lesen/);
    assert.ok(await page.getByRole('button', { name: 'Ablehnen' }).isVisible());
    await checkScreen(page, 'consent-de');

    // The switch: English, kept for the next page too.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Authorize' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.locator('main').innerText(), /Read agent\/graph definitions/);
    await page.goto(new URL('/account/apps', server().baseUrl).toString());
    await page.getByRole('heading', { name: 'Connected apps' }).waitFor();
    await context.close();
  }
  // No ui_locales: the browser's language; the sign-in page and the apps page too.
  {
    const { context, page } = await newPage(suite.browser, { locale: 'de-DE' });
    await page.goto(request('READ_GRAPH').url);
    await page.getByRole('button', { name: 'Anmelden' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    await checkScreen(page, 'login-de');
    await signUpViaApi(context, newUser());
    await page.goto(new URL('/account/apps', server().baseUrl).toString());
    await page.getByRole('heading', { name: 'Verbundene Apps' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Keine App hat Zugriff auf Ihr Konto/);
    await checkScreen(page, 'connected-apps-de');
    // Once an app is allowed, its permissions are the server's German words.
    await page.goto(request('READ_GRAPH offline_access').url);
    await page.getByRole('button', { name: 'Autorisieren' }).click();
    await landing(page);
    await page.goto(new URL('/account/apps', server().baseUrl).toString());
    await page.getByRole('heading', { name: 'Verbundene Apps' }).waitFor();
    const apps = await page.locator('main').innerText();
    assert.match(apps, /Agenten-\/Graph-Definitionen und Ausführungsergebnisse lesen/);
    assert.match(apps, /Zugriff behalten, auch wenn Sie sie nicht nutzen/);
    // An error screen in German; in English its title is the seed's.
    await page.goto(new URL('/auth/authorize?redirect_uri=x', server().baseUrl).toString());
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Ungültige Anfrage');
    await context.close();
  }
});

/** The claims of a JWT (its signature is checked in oidc.test.mjs). */
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

test('max_age=0 makes a signed-in person sign in again, even when the consent is remembered', async () => {
  const user = newUser();
  const { context, page } = await newPage(suite.browser);
  await signUpViaApi(context, user);
  const first = request('openid READ_GRAPH', { nonce: 'first' });
  await page.goto(first.url);
  const consent = new ConsentPage(page);
  await consent.waitUntilShown();
  await consent.authorizeButton.click();
  const before = claims((await exchange((await landing(page)).code, first.verifier)).body.id_token);

  await new Promise((resolve) => setTimeout(resolve, 1100));
  const again = request('openid READ_GRAPH', { nonce: 'second', max_age: '0' });
  await page.goto(again.url);
  const login = new LoginPage(page);
  await login.signInButton.waitFor();
  await login.signIn(user.email, user.password);
  const q = await landing(page);
  assert.equal(q.state, again.params.state);
  const after = claims((await exchange(q.code, again.verifier)).body.id_token);
  assert.equal(after.nonce, 'second');
  assert.equal(after.sub, before.sub);
  assert.ok(after.auth_time > before.auth_time, `${after.auth_time} > ${before.auth_time}`);
  await context.close();
});
