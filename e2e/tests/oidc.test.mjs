// Single sign-on as a relying party built on openid-client (v6, unmodified)
// does it: discovery from `<issuer>/.well-known/openid-configuration`, the
// authorization code flow with PKCE S256, state and nonce through the real
// sign-in page and consent screen, the ID Token validated by the library
// (signature against jwks_uri too: `enableNonRepudiationChecks`), UserInfo,
// a refresh; `prompt=none` with and without a session; RP-initiated logout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { createUser, generateApp } from '../lib/admin.mjs';
import { launch, newPage } from '../lib/browser.mjs';
import { startCallbackServer } from '../lib/callback.mjs';
import { checkScreen } from '../lib/checks.mjs';
import { server } from '../lib/env.mjs';
import { ConsentPage, ErrorPage, LoginPage, newUser } from '../lib/pages.mjs';

const SCOPE = 'openid profile email';
const NAME = 'Ada Lovelace';

const s = {};

before(async () => {
  s.browser = await launch();
  s.callback = await startCallbackServer();
  s.postLogoutUri = `${s.callback.origin}/signed-out`;
  s.app = await generateApp({
    name: 'Example Site',
    description: 'Lets you sign in with your AutoGPT account.',
    redirectUris: [s.callback.url],
    postLogoutRedirectUris: [s.postLogoutUri],
    scopes: ['READ_GRAPH'],
  });
  assert.ok(s.app.client_secret, 'a confidential app');
  s.issuer = server().baseUrl;
  s.config = await client.discovery(new URL(s.issuer), s.app.client_id, s.app.client_secret, undefined, {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
});

after(async () => {
  await s.browser?.close();
  await s.callback?.close();
});

/** A person with a name, made by `oauth-admin create-user`. */
async function person() {
  const user = newUser();
  const created = await createUser({ ...user, name: NAME });
  assert.match(created.user_id, /\S/, JSON.stringify(created));
  return { ...user, userId: created.user_id };
}

/** What openid-client sends the person to, with fresh PKCE, state and nonce. */
async function authorizationRequest(extra = {}) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedNonce = client.randomNonce();
  const expectedState = client.randomState();
  const url = client.buildAuthorizationUrl(s.config, {
    redirect_uri: s.callback.url,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    nonce: expectedNonce,
    state: expectedState,
    ...extra,
  });
  return { url, checks: { pkceCodeVerifier, expectedNonce, expectedState } };
}

async function landOnCallback(page) {
  await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
  return new URL(page.url());
}

/** From the app's link through sign-in and consent back to its callback. */
async function signInAndApprove(page, user, { screen } = {}) {
  const request = await authorizationRequest();
  assert.equal(`${request.url.origin}${request.url.pathname}`, `${s.issuer}/auth/authorize`, 'the discovered authorization endpoint');
  await page.goto(request.url.toString());
  await page.waitForURL(/\/auth\/login\?next=/);
  await new LoginPage(page).signIn(user.email, user.password);
  const consent = new ConsentPage(page);
  await consent.waitUntilShown();
  assert.equal((await consent.heading.textContent()).trim(), 'Example Site');
  const scopes = await consent.scopes.allInnerTexts();
  assert.equal(scopes.length, 3, JSON.stringify(scopes));
  assert.match(scopes.join('\n'), /Know it is you/);
  assert.match(scopes.join('\n'), /See your name and username/);
  assert.match(scopes.join('\n'), /See your email address/);
  if (screen) await checkScreen(page, screen);
  await consent.authorizeButton.click();
  return { callbackUrl: await landOnCallback(page), checks: request.checks };
}

test('openid-client: code + PKCE + nonce through the consent screen; ID Token, UserInfo, refresh', async () => {
  const user = await person();
  const { context, page } = await newPage(s.browser);
  const { callbackUrl, checks } = await signInAndApprove(page, user, { screen: 'consent-oidc' });
  assert.equal(callbackUrl.searchParams.get('iss'), s.issuer, 'RFC 9207 iss in the authorization response');

  const tokens = await client.authorizationCodeGrant(s.config, callbackUrl, checks);
  assert.match(tokens.token_type, /^bearer$/i);
  assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
  const claims = tokens.claims();
  assert.equal(claims.iss, s.issuer);
  assert.deepEqual([claims.aud].flat(), [s.app.client_id]);
  assert.equal(claims.sub, user.userId, 'sub is the account id');
  assert.notEqual(claims.sub, user.email);
  assert.equal(claims.nonce, checks.expectedNonce);
  assert.equal(claims.email, user.email);
  assert.equal(claims.email_verified, false);
  assert.equal(claims.name, NAME);
  assert.equal(typeof claims.auth_time, 'number');
  const now = Date.now() / 1000;
  assert.ok(claims.auth_time <= now + 5 && claims.auth_time > now - 120, `auth_time ${claims.auth_time} is the sign-in just now`);
  assert.ok(claims.exp > now);

  const info = await client.fetchUserInfo(s.config, tokens.access_token, claims.sub);
  assert.equal(info.sub, user.userId);
  assert.equal(info.email, user.email);
  assert.equal(info.name, NAME);

  const refreshed = await client.refreshTokenGrant(s.config, tokens.refresh_token);
  assert.ok(refreshed.id_token, 'a refresh returns a new ID Token');
  assert.notEqual(refreshed.access_token, tokens.access_token);
  const again = refreshed.claims();
  assert.equal(again.iss, s.issuer);
  assert.deepEqual([again.aud].flat(), [s.app.client_id]);
  assert.equal(again.sub, claims.sub);
  assert.equal(again.auth_time, claims.auth_time, 'auth_time is the original sign-in');
  assert.ok(again.nonce === undefined || again.nonce === claims.nonce, 'OIDC Core §12.2: no nonce, or the same one');
  const infoAfter = await client.fetchUserInfo(s.config, refreshed.access_token, claims.sub);
  assert.equal(infoAfter.sub, user.userId);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('openid-client: prompt=none answers with a code when signed in and approved, login_required when not', async () => {
  const user = await person();
  const { context, page } = await newPage(s.browser);
  const first = await signInAndApprove(page, user);
  const firstTokens = await client.authorizationCodeGrant(s.config, first.callbackUrl, first.checks);

  // The same browser, later: no screen, straight back with a code.
  const silent = await authorizationRequest({ prompt: 'none' });
  const shown = [];
  page.on('framenavigated', (f) => f === page.mainFrame() && shown.push(f.url()));
  await page.goto(silent.url.toString());
  const back = await landOnCallback(page);
  assert.ok(!shown.some((u) => /\/auth\/(login|authorize)\b/.test(new URL(u).pathname) && !u.includes('prompt=none')), `no sign-in or consent page: ${shown.join(' → ')}`);
  assert.ok(back.searchParams.get('code'), `a code: ${back}`);
  const tokens = await client.authorizationCodeGrant(s.config, back, silent.checks);
  const claims = tokens.claims();
  assert.equal(claims.sub, user.userId);
  assert.equal(claims.nonce, silent.checks.expectedNonce);
  assert.equal(claims.auth_time, firstTokens.claims().auth_time, 'no new sign-in happened');
  await context.close();

  // A browser nobody is signed in to: the error goes back to the app.
  const other = await newPage(s.browser);
  const anonymous = await authorizationRequest({ prompt: 'none' });
  await other.page.goto(anonymous.url.toString());
  const refused = await landOnCallback(other.page);
  assert.equal(refused.searchParams.get('error'), 'login_required');
  await assert.rejects(client.authorizationCodeGrant(s.config, refused, anonymous.checks), (err) => {
    assert.equal(err.error, 'login_required', String(err));
    return true;
  });
  await other.context.close();
});

test('openid-client: RP-initiated logout returns to a registered post_logout_redirect_uri with state, never to an unregistered one', async () => {
  const user = await person();
  const { context, page } = await newPage(s.browser);
  const { callbackUrl, checks } = await signInAndApprove(page, user);
  const tokens = await client.authorizationCodeGrant(s.config, callbackUrl, checks);
  const me = () => context.request.get(`${s.issuer}/api/auth/me`).then((r) => r.status());
  assert.equal(await me(), 200, 'signed in');
  const logoutEndpoint = `${s.issuer}/api/oauth/logout`;
  assert.equal(s.config.serverMetadata().end_session_endpoint, logoutEndpoint);

  // Not registered: the browser stays with us, and nobody is signed out unasked.
  const unregistered = `${s.callback.origin}/elsewhere`;
  const bad = client.buildEndSessionUrl(s.config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: unregistered,
    state: client.randomState(),
  });
  await page.goto(bad.toString());
  await page.waitForURL((u) => u.origin === s.issuer && /^\/auth\/(logout|signed-out)$/.test(u.pathname));
  const here = new URL(page.url());
  if (here.pathname === '/auth/logout') {
    await page.getByRole('heading', { level: 1 }).waitFor();
    await checkScreen(page, 'logout-unregistered-uri');
    await page.getByRole('button', { name: 'Sign out' }).click();
    const error = new ErrorPage(page);
    assert.ok((await error.title()).length > 0);
    assert.match(await error.text(), /not registered/i);
    assert.equal(new URL(page.url()).origin, s.issuer, 'still on our origin');
  }
  assert.ok(!s.callback.requests.some((r) => r.path === '/elsewhere'), 'the unregistered URI was never visited');
  assert.equal(await me(), 200, 'an invalid logout request signs nobody out');

  // Registered, with a hint naming the signed-in person: signed out, and back with state.
  const state = client.randomState();
  const good = client.buildEndSessionUrl(s.config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: s.postLogoutUri,
    state,
  });
  assert.equal(good.searchParams.get('client_id'), s.app.client_id);
  await page.goto(good.toString());
  await page.waitForURL((u) => u.toString().startsWith(s.postLogoutUri));
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('state'), state);
  assert.ok(s.callback.requests.some((r) => r.path === '/signed-out' && r.params.state === state));
  assert.equal(await me(), 401, 'the AutoGPT session ended');
  await context.close();
});
