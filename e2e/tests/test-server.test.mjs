// `oauth-admin test-server` end to end in the browser: its home page, the
// "Sign in with AutoGPT" button, sign-in and consent on our screen, tokens
// shown by the test server, introspect / refresh / revoke through its
// buttons; then SIGTERM, and its temporary app is gone with all its rows.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createUser, listApps } from '../lib/admin.mjs';
import { launch, newPage } from '../lib/browser.mjs';
import { adminBin, server } from '../lib/env.mjs';
import { ConsentPage, LoginPage, newUser } from '../lib/pages.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** Starts the test server on a free port; resolves once it prints its URL. */
function startTestServer(ownerId) {
  const { baseUrl, databaseUrl } = server();
  const child = spawn(
    adminBin,
    ['test-server', '--owner-id', ownerId, '--port', '0', '--platform-url', baseUrl, '--backend-url', baseUrl],
    { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/test server listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    exited.then(({ code }) => reject(new Error(`test-server exited (${code}): ${stderr}`)));
  });
  return { child, url, exited, output: () => stdout, errors: () => stderr };
}

test('the test server runs a whole flow and cleans up after itself', async () => {
  const person = newUser();
  const { user_id: ownerId } = await createUser(person);
  const appsBefore = (await listApps()).length;
  const ts = startTestServer(ownerId);
  try {
    const home = await ts.url;
    assert.equal((await listApps()).length, appsBefore + 1, 'a temporary app exists while it runs');

    const { context, page } = await newPage(browser);
    await page.goto(home);
    const signIn = page.getByRole('link', { name: 'Sign in with AutoGPT' });
    const href = new URL(await signIn.getAttribute('href'));
    assert.equal(href.pathname, '/auth/authorize');
    assert.equal(href.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(href.searchParams.get('state'));
    await signIn.click();

    // Not signed in yet: our sign-in page, then back to the consent screen.
    const login = new LoginPage(page);
    await login.signIn(person.email, person.password);
    const consent = new ConsentPage(page);
    await consent.waitUntilShown();
    await consent.authorizeButton.click();

    await page.waitForURL((u) => u.toString().startsWith(home));
    const access = await page.locator('#access-token').textContent();
    const refresh = await page.locator('#refresh-token').textContent();
    assert.match(access, /^agpt_xt_/);
    assert.match(refresh, /^agpt_rt_/);

    await page.getByRole('button', { name: /introspect/i }).click();
    assert.match(await page.locator('#result').textContent(), /"active": true/);

    await page.getByRole('button', { name: /Refresh tokens/ }).click();
    const refreshed = await page.locator('#access-token').textContent();
    assert.match(refreshed, /^agpt_xt_/);
    assert.notEqual(refreshed, access, 'refresh issued a new access token');

    await page.getByRole('button', { name: /Revoke refresh token/ }).click();
    assert.match(await page.locator('#result').textContent(), /HTTP 200/);
    await page.getByRole('button', { name: /introspect/i }).click();
    assert.match(await page.locator('#result').textContent(), /"active": false/, 'revoking ended the grant');
    await context.close();
  } finally {
    ts.child.kill('SIGTERM');
  }
  const { code } = await ts.exited;
  assert.equal(code, 0, ts.errors());
  assert.match(ts.output(), /Deleted the test app .* 1 grant\(s\)/);
  assert.equal((await listApps()).length, appsBefore, 'the temporary app is gone');
});
