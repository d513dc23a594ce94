// Single sign-on as a Python relying party built on Authlib (unmodified; see
// fixtures/authlib_rp.py: Authlib's Flask client without Flask) does it:
// discovery, code + PKCE S256 + state + nonce, the person signs in and
// approves in the real consent screen, then Authlib exchanges the code and
// validates the ID Token (signature against jwks_uri, iss, aud, exp, nonce,
// at_hash) and calls UserInfo.
//
// Needs Authlib: scripts/e2e.sh installs e2e/requirements.txt into
// e2e/.venv and sets E2E_PYTHON. Without it the test fails; it never skips.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createUser, generateApp } from '../lib/admin.mjs';
import { launch, newPage } from '../lib/browser.mjs';
import { startCallbackServer } from '../lib/callback.mjs';
import { server } from '../lib/env.mjs';
import { ConsentPage, LoginPage, newUser } from '../lib/pages.mjs';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const python = process.env.E2E_PYTHON ?? path.join(e2eDir, '.venv', 'bin', 'python');
const script = path.join(e2eDir, 'fixtures', 'authlib_rp.py');
const NAME = 'Grace Hopper';

const s = {};

before(async () => {
  assert.ok(fs.existsSync(python), `no Python with Authlib at ${python}: run scripts/e2e.sh (it makes e2e/.venv from e2e/requirements.txt) or set E2E_PYTHON`);
  s.browser = await launch();
  s.callback = await startCallbackServer();
  s.app = await generateApp({
    name: 'Example Python Site',
    description: 'Lets you sign in with your AutoGPT account.',
    redirectUris: [s.callback.url],
    scopes: ['READ_GRAPH'],
  });
});

after(async () => {
  await s.browser?.close();
  await s.callback?.close();
});

/** Starts the relying party; `next()` is its next JSON line, `send(line)` writes to its stdin. */
function startRelyingParty() {
  const child = spawn(python, [script], {
    env: {
      ...process.env,
      RP_ISSUER: server().baseUrl,
      RP_CLIENT_ID: s.app.client_id,
      RP_CLIENT_SECRET: s.app.client_secret,
      RP_REDIRECT_URI: s.callback.url,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async next() {
      const { value, done } = await lines.next();
      if (done) throw new Error(`the relying party ended (exit ${await exited}) without answering:\n${stderr}`);
      return JSON.parse(value);
    },
    send: (line) => child.stdin.write(`${line}\n`),
    exited,
    stderr: () => stderr,
    kill: () => child.exitCode === null && child.kill('SIGKILL'),
  };
}

test('Authlib (Python): code + PKCE + nonce through the consent screen; ID Token validated against the JWKS, UserInfo', async () => {
  const user = newUser();
  const { user_id: userId } = await createUser({ ...user, name: NAME });
  const rp = startRelyingParty();
  try {
    const start = await rp.next();
    const url = new URL(start.authorization_url);
    assert.equal(`${url.origin}${url.pathname}`, `${server().baseUrl}/auth/authorize`, 'the discovered authorization endpoint');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(url.searchParams.get('code_challenge'));
    assert.equal(url.searchParams.get('nonce'), start.nonce);
    assert.equal(url.searchParams.get('state'), start.state);
    assert.equal(url.searchParams.get('scope'), 'openid profile email');

    const { context, page } = await newPage(s.browser);
    await page.goto(url.toString());
    await page.waitForURL(/\/auth\/login\?next=/);
    await new LoginPage(page).signIn(user.email, user.password);
    const consent = new ConsentPage(page);
    await consent.waitUntilShown();
    assert.equal((await consent.heading.textContent()).trim(), 'Example Python Site');
    await consent.authorizeButton.click();
    await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
    rp.send(page.url());
    assert.deepEqual(page.problems, []);
    await context.close();

    const result = await rp.next();
    assert.equal(result.ok, true, `Authlib refused: ${JSON.stringify(result)}\n${rp.stderr()}`);
    assert.equal(await rp.exited, 0);
    const { header, claims } = result.id_token;
    assert.ok(['RS256', 'ES256'].includes(header.alg), JSON.stringify(header));
    assert.ok(header.kid, 'the key is named, for the JWKS lookup');
    assert.equal(claims.iss, server().baseUrl);
    assert.deepEqual([claims.aud].flat(), [s.app.client_id]);
    assert.equal(claims.sub, userId);
    assert.equal(claims.nonce, start.nonce);
    assert.ok(claims.at_hash, 'at_hash (checked by CodeIDToken)');
    assert.equal(typeof claims.auth_time, 'number');
    assert.equal(claims.email, user.email);
    assert.equal(claims.name, NAME);
    assert.equal(result.userinfo.sub, userId);
    assert.equal(result.userinfo.email, user.email);
    assert.equal(result.userinfo.name, NAME);
    assert.match(result.token.token_type, /^bearer$/i);
    assert.equal(result.token.has_refresh_token, true);
    assert.equal(result.code_verifier_sent, true);
  } finally {
    rp.kill();
  }
});
