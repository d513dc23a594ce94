// MCP step-up (MCP authorization spec: scope selection and
// `insufficient_scope`), with the official TypeScript SDK 2.x client
// (@modelcontextprotocol/client, unmodified; 1.x cannot step up while it
// holds a refresh token). The client registers itself for READ_LIBRARY,
// signs in through the real consent screen, calls a tool that needs
// RUN_AGENT, is told 403 insufficient_scope by the MCP server, and
// re-authorizes for the union: the screen shows only RUN_AGENT as new, and
// the retried call succeeds with a token for both.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { registerResource } from '../lib/admin.mjs';
import { launch, newPage } from '../lib/browser.mjs';
import { startCallbackServer } from '../lib/callback.mjs';
import { server } from '../lib/env.mjs';
import { startMcpResource } from '../lib/mcp-resource.mjs';
import { newUser, signUpViaApi } from '../lib/pages.mjs';
import { randomState } from '../lib/pkce.mjs';

/** An in-memory `OAuthClientProvider` that records the authorization URLs. */
class Provider {
  constructor(redirectUrl) {
    this._redirectUrl = redirectUrl;
    this.authorizationUrls = [];
  }
  get redirectUrl() {
    return this._redirectUrl;
  }
  get clientMetadata() {
    return {
      client_name: 'Step-up Agent',
      redirect_uris: [this._redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'READ_LIBRARY',
    };
  }
  state() {
    return randomState();
  }
  clientInformation() {
    return this._client;
  }
  saveClientInformation(info) {
    this._client = info;
  }
  tokens() {
    return this._tokens;
  }
  saveTokens(tokens) {
    this._tokens = tokens;
  }
  redirectToAuthorization(url) {
    this.authorizationUrls.push(new URL(url));
  }
  saveCodeVerifier(v) {
    this._verifier = v;
  }
  codeVerifier() {
    return this._verifier;
  }
}

/** A space-separated scope as a sorted list. */
const names = (scope) => scope.split(' ').sort();

const s = {};
before(async () => {
  s.browser = await launch();
  s.callback = await startCallbackServer();
  s.mcp = await startMcpResource({
    name: 'AutoGPT MCP (step-up)',
    authorizationServer: server().baseUrl,
    // What a client asks for at first (MCP scope selection); run_agent needs more.
    scopes: ['READ_LIBRARY'],
    toolScopes: { run_agent: ['RUN_AGENT'] },
  });
  s.mcp.useCredentials(await registerResource({ uri: s.mcp.uri, name: 'AutoGPT MCP (step-up)' }));
});
after(async () => {
  await s.browser?.close();
  await s.callback?.close();
  await s.mcp?.close();
});

/** The person approves the request the SDK made; returns the callback's query. */
async function approve(page, url, expectNew) {
  await page.goto(url.toString());
  await page.getByRole('button', { name: 'Authorize' }).waitFor();
  const newTags = await page.getByTestId('scope-new').count();
  const allowedTags = await page.getByTestId('scope-allowed').count();
  assert.deepEqual([newTags, allowedTags], expectNew, 'new / already allowed');
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
  const params = new URL(page.url()).searchParams;
  assert.ok(params.get('code'), page.url());
  return params;
}

test('an MCP client steps up from READ_LIBRARY to READ_LIBRARY RUN_AGENT on insufficient_scope', async () => {
  const { context, page } = await newPage(s.browser);
  await signUpViaApi(context, newUser());
  const provider = new Provider(s.callback.url);
  const transport = new StreamableHTTPClientTransport(new URL(s.mcp.url), { authProvider: provider });
  const client = new Client({ name: 'step-up-agent', version: '1.0.0' });

  // First sign-in: 401, discovery, registration, the screen.
  await assert.rejects(client.connect(transport), UnauthorizedError);
  const first = provider.authorizationUrls.at(-1);
  // The resource's scopes_supported, plus offline_access (we list it).
  assert.deepEqual(names(first.searchParams.get('scope')), ['READ_LIBRARY', 'offline_access']);
  await transport.finishAuth(await approve(page, first, [0, 0]));
  assert.deepEqual(names(provider.tokens().scope), ['READ_LIBRARY', 'offline_access']);
  const client2 = new Client({ name: 'step-up-agent', version: '1.0.0' });
  const transport2 = new StreamableHTTPClientTransport(new URL(s.mcp.url), { authProvider: provider });
  await client2.connect(transport2);
  const who = await client2.callTool({ name: 'whoami', arguments: {} });
  assert.deepEqual(names(JSON.parse(who.content[0].text).scope), ['READ_LIBRARY', 'offline_access']);

  // The tool needs RUN_AGENT: 403 insufficient_scope, and the SDK asks again for the union.
  await assert.rejects(client2.callTool({ name: 'run_agent', arguments: {} }), UnauthorizedError);
  assert.ok(s.mcp.requests.some((r) => r.status === 403), 'the resource refused with 403');
  const second = provider.authorizationUrls.at(-1);
  const union = ['READ_LIBRARY', 'RUN_AGENT', 'offline_access'];
  assert.deepEqual(names(second.searchParams.get('scope')), union);
  // The screen: RUN_AGENT new, the rest already allowed.
  await transport2.finishAuth(await approve(page, second, [1, 2]));
  assert.deepEqual(names(provider.tokens().scope), union);
  const ran = await client2.callTool({ name: 'run_agent', arguments: {} });
  assert.deepEqual(names(JSON.parse(ran.content[0].text).scope), union);

  // A refresh never widens: the refreshed token has exactly what was granted.
  const res = await fetch(new URL('/api/oauth/token', server().baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: provider.tokens().refresh_token,
      client_id: provider.clientInformation().client_id,
      scope: 'READ_LIBRARY RUN_AGENT offline_access WRITE_FILES',
    }),
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error, 'invalid_scope');
  await client2.close();
  await context.close();
});
