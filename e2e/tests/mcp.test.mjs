// MCP clients, as the official TypeScript SDK (@modelcontextprotocol/sdk,
// unmodified) does it: discovery from the MCP server's protected-resource
// metadata (RFC 9728) to our metadata (RFC 8414), then either dynamic client
// registration (RFC 7591) or a Client ID Metadata Document, PKCE S256 and a
// `resource` indicator (RFC 8707); the person approves in the real consent
// screen; the token works at that MCP server only, and keeps its audience
// across a refresh.
//
// This file runs its own API: the metadata document is served over https by
// a certificate from a CA made here, which the server is told to trust
// (`--cimd-extra-root-ca`), on loopback (`--cimd-allow-loopback true`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { registerResource } from '../lib/admin.mjs';
import { startApi } from '../lib/api-server.mjs';
import { launch, newPage } from '../lib/browser.mjs';
import { startCallbackServer } from '../lib/callback.mjs';
import { checkScreen } from '../lib/checks.mjs';
import { useServer } from '../lib/env.mjs';
import { startMcpResource } from '../lib/mcp-resource.mjs';
import { ConsentPage, LoginPage, newUser, signUpViaApi } from '../lib/pages.mjs';
import { randomState } from '../lib/pkce.mjs';
import { makeTestPki, startHttpsServer } from '../lib/tls.mjs';

const SCOPES = ['EXECUTE_GRAPH', 'READ_GRAPH'];
const RESOURCE_A_NAME = 'AutoGPT MCP Server';
const RESOURCE_B_NAME = 'Another Protected Service';
const UNVERIFIED = /unverified|not verified/i;

/**
 * An `OAuthClientProvider` (the SDK's client-side interface, see
 * node_modules/@modelcontextprotocol/sdk/dist/esm/client/auth.d.ts) that
 * keeps everything in memory and records what the SDK asked of it.
 */
class RecordingProvider {
  /** @param {{redirectUrl: string, clientName: string, clientMetadataUrl?: string}} opts */
  constructor({ redirectUrl, clientName, clientMetadataUrl }) {
    this._redirectUrl = redirectUrl;
    this._clientName = clientName;
    if (clientMetadataUrl) this.clientMetadataUrl = clientMetadataUrl;
    this.authorizationUrls = [];
    this.savedClients = [];
    this.savedTokens = [];
    this.invalidated = [];
    this.states = [];
  }

  get redirectUrl() {
    return this._redirectUrl;
  }

  get clientMetadata() {
    return {
      client_name: this._clientName,
      redirect_uris: [this._redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state() {
    const s = randomState();
    this.states.push(s);
    return s;
  }

  clientInformation() {
    return this._client;
  }

  saveClientInformation(info) {
    this._client = info;
    this.savedClients.push(info);
  }

  tokens() {
    return this._tokens;
  }

  saveTokens(tokens) {
    this._tokens = tokens;
    this.savedTokens.push(tokens);
  }

  redirectToAuthorization(url) {
    this.authorizationUrls.push(new URL(url));
  }

  saveCodeVerifier(verifier) {
    this._verifier = verifier;
  }

  codeVerifier() {
    if (!this._verifier) throw new Error('no code verifier saved');
    return this._verifier;
  }

  invalidateCredentials(scope) {
    // The SDK calls this when the server said invalid_client / invalid_grant,
    // then silently starts over; the tests assert it never had to.
    this.invalidated.push(scope);
    if (scope === 'all' || scope === 'client') this._client = undefined;
    if (scope === 'all' || scope === 'tokens') this._tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this._verifier = undefined;
  }
}

const s = {};

before(async () => {
  s.pki = await makeTestPki();
  s.api = await startApi({
    args: ['--cimd-extra-root-ca', s.pki.caFile, '--cimd-allow-loopback', 'true'],
  });
  useServer(s.api);
  s.browser = await launch();
  s.callback = await startCallbackServer();

  s.a = await startMcpResource({ name: RESOURCE_A_NAME, authorizationServer: s.api.baseUrl, scopes: SCOPES });
  s.b = await startMcpResource({ name: RESOURCE_B_NAME, authorizationServer: s.api.baseUrl, scopes: SCOPES });
  for (const r of [s.a, s.b]) {
    const registered = await registerResource({ uri: r.uri, name: r.name });
    assert.match(registered.resource_id, /^agpt_resource_/, JSON.stringify(registered));
    assert.match(registered.resource_secret, /^agpt_(resource_)?secret_/);
    assert.equal(registered.uri, r.uri);
    assert.equal(registered.name, r.name);
    r.useCredentials(registered);
  }

  // The client's metadata document, at an https URL on loopback.
  s.documentFetches = [];
  s.documentServer = await startHttpsServer(s.pki, (req, res) => {
    s.documentFetches.push({ method: req.method, url: req.url, at: Date.now() });
    if (req.method === 'GET' && req.url === '/oauth/client-metadata.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify(s.document));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  s.documentUrl = `https://localhost:${s.documentServer.port}/oauth/client-metadata.json`;
  s.document = {
    client_id: s.documentUrl,
    client_name: 'Example MCP Desktop Client',
    redirect_uris: [s.callback.url],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
});

after(async () => {
  await s.browser?.close();
  await s.callback?.close();
  await s.a?.close();
  await s.b?.close();
  await s.documentServer?.close();
  useServer(undefined);
  await s.api?.stop();
  s.pki?.remove();
});

/** Runs a test body; on failure the error carries the tail of this file's API log. */
function withApiLog(body) {
  return async (t) => {
    try {
      await body(t);
    } catch (err) {
      let log = '';
      try {
        log = fs.readFileSync(s.api.logFile, 'utf8').split('\n').slice(-40).join('\n');
      } catch {
        // the log is gone already
      }
      if (err && typeof err === 'object' && log) {
        err.message = `${err.message}\n--- API log (tail) ---\n${log}`;
      }
      throw err;
    }
  };
}

/** What an MCP client does first: call the server, get 401, read where its metadata is. */
async function challenge(resource) {
  const res = await fetch(resource.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(res.status, 401);
  const params = extractWWWAuthenticateParams(res);
  assert.equal(params.resourceMetadataUrl?.href, resource.metadataUrl);
  return params;
}

/** Opens the authorization URL the SDK produced, approves it, and returns the callback's query. */
async function approveInBrowser(page, authorizationUrl, { expectName, screenName, navigate = true }) {
  const consent = new ConsentPage(page);
  if (navigate) await page.goto(authorizationUrl.toString());
  await consent.waitUntilShown();
  assert.equal(page.url(), authorizationUrl.toString(), 'on the exact authorization URL the SDK made');
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(expectName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the client is named');
  assert.ok(text.includes(RESOURCE_A_NAME), `the service being granted (${RESOURCE_A_NAME}) is named on the consent screen:\n${text}`);
  assert.ok(!text.includes(RESOURCE_B_NAME), 'only the requested service is named');
  assert.match(text, UNVERIFIED, `a self-registered client is marked unverified:\n${text}`);
  if (screenName) await checkScreen(page, screenName);
  await consent.authorizeButton.click();
  await page.waitForURL((u) => u.toString().startsWith(s.callback.url));
  return Object.fromEntries(new URL(page.url()).searchParams);
}

/** Uses the SDK's own MCP client (Streamable HTTP) with the provider's tokens; returns what `whoami` said. */
async function whoami(resource, provider) {
  const client = new Client({ name: 'e2e-mcp-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(resource.url), { authProvider: provider });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['whoami']);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    return JSON.parse(result.content[0].text);
  } finally {
    await client.close();
  }
}

async function bearer(resource, token) {
  const res = await fetch(resource.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    }),
  });
  await res.body?.cancel();
  return res.status;
}

/** Asserts A accepts the token (its audience names A) and B refuses it. */
async function onlyResourceAAccepts(t, token, label) {
  const infoA = await s.a.introspect(token);
  assert.equal(infoA.active, true, `${label}: A's introspection says active: ${JSON.stringify(infoA)}`);
  assert.ok(Array.isArray(infoA.aud), `${label}: aud is an array of strings: ${JSON.stringify(infoA)}`);
  assert.ok(infoA.aud.includes(s.a.uri), `${label}: A (${s.a.uri}) is in aud: ${JSON.stringify(infoA.aud)}`);
  assert.ok(!infoA.aud.includes(s.b.uri), `${label}: B is not in aud`);
  assert.equal(await bearer(s.a, token), 200, `${label}: A accepts the token`);

  assert.equal(await bearer(s.b, token), 401, `${label}: B refuses a token issued for A`);
  const infoB = await s.b.introspect(token);
  assert.ok(
    infoB.active !== true || !(Array.isArray(infoB.aud) && infoB.aud.includes(s.b.uri)),
    `${label}: B's introspection must not call it a token for B: ${JSON.stringify(infoB)}`,
  );
  t.diagnostic(`${label}: A introspects ${JSON.stringify(infoA)}; B introspects ${JSON.stringify(infoB)}`);
  return infoA;
}

test('the authorization server metadata advertises registration and metadata-document clients', withApiLog(async () => {
  const res = await fetch(new URL('/.well-known/oauth-authorization-server', s.api.baseUrl), {
    headers: { 'MCP-Protocol-Version': '2025-06-18', origin: 'https://mcp-inspector.example' },
  });
  assert.equal(res.status, 200);
  assert.ok(res.headers.get('access-control-allow-origin'), 'CORS on the metadata');
  const md = await res.json();
  assert.equal(new URL(md.issuer).href, new URL(s.api.baseUrl).href);
  assert.equal(md.registration_endpoint, `${s.api.baseUrl}/api/oauth/register`);
  assert.equal(md.client_id_metadata_document_supported, true);
  assert.ok(md.code_challenge_methods_supported.includes('S256'));
  assert.ok(md.token_endpoint_auth_methods_supported.includes('none'));
}));

test('an MCP client registers itself (RFC 7591), the person approves it for one MCP server, and the token works there only, refresh included', { timeout: 120_000 }, withApiLog(async (t) => {
  const { resourceMetadataUrl } = await challenge(s.a);
  const provider = new RecordingProvider({ redirectUrl: s.callback.url, clientName: 'Example MCP Client' });

  // 1. Discovery, registration, and the authorization URL.
  assert.equal(await auth(provider, { serverUrl: s.a.url, resourceMetadataUrl }), 'REDIRECT');
  assert.equal(provider.savedClients.length, 1, 'the SDK registered once');
  const registered = provider.clientInformation();
  t.diagnostic(`registered: ${JSON.stringify(registered)}`);
  assert.ok(registered.client_id, JSON.stringify(registered));
  assert.equal(registered.client_secret, undefined, 'a public client gets no secret');
  assert.equal(registered.token_endpoint_auth_method, 'none');
  assert.deepEqual(registered.redirect_uris, [s.callback.url]);
  assert.equal(provider.authorizationUrls.length, 1);
  const authUrl = provider.authorizationUrls[0];
  assert.equal(authUrl.origin + authUrl.pathname, `${s.api.baseUrl}/auth/authorize`);
  assert.equal(authUrl.searchParams.get('client_id'), registered.client_id);
  assert.equal(authUrl.searchParams.get('resource'), s.a.uri, 'the SDK asks for the MCP server as the resource');
  assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authUrl.searchParams.get('scope'), SCOPES.join(' '));

  // 2. The person signs up from the consent link and approves.
  const { context, page } = await newPage(s.browser);
  const login = new LoginPage(page);
  await page.goto(authUrl.toString());
  await page.waitForURL(/\/auth\/login\?next=/);
  const user = newUser();
  await login.signUp(user.email, user.password);
  const query = await approveInBrowser(page, authUrl, { expectName: 'Example MCP Client', screenName: 'consent-mcp-dcr', navigate: false });
  await context.close();
  assert.equal(query.error, undefined, JSON.stringify(query));
  assert.ok(query.code, 'a code comes back');
  assert.equal(query.state, provider.states.at(-1), 'the SDK’s state comes back');

  // 3. The SDK exchanges the code (with the same resource).
  assert.equal(await auth(provider, { serverUrl: s.a.url, resourceMetadataUrl, authorizationCode: query.code }), 'AUTHORIZED');
  const first = provider.tokens();
  assert.ok(first?.access_token, JSON.stringify(first));
  assert.ok(first.refresh_token, 'a refresh token comes with it');
  assert.match(first.token_type, /^bearer$/i);

  // 4. The MCP server accepts it, through the SDK's own MCP client; the other refuses it.
  const me = await whoami(s.a, provider);
  assert.equal(me.client_id, registered.client_id);
  assert.ok(me.aud.includes(s.a.uri));
  await onlyResourceAAccepts(t, first.access_token, 'after the code exchange');

  // 5. The SDK refreshes (it has a refresh token, so auth() refreshes) with the same resource.
  assert.equal(await auth(provider, { serverUrl: s.a.url, resourceMetadataUrl }), 'AUTHORIZED');
  const second = provider.tokens();
  assert.notEqual(second.access_token, first.access_token, 'a new access token');
  await onlyResourceAAccepts(t, second.access_token, 'after the refresh');
  assert.equal((await whoami(s.a, provider)).client_id, registered.client_id);

  assert.deepEqual(provider.invalidated, [], 'the SDK never had to throw credentials away and start over');
  assert.equal(provider.savedClients.length, 1, 'and never registered again');
}));

test('an MCP client named by a Client ID Metadata Document (https URL) is approved for one MCP server', { timeout: 120_000 }, withApiLog(async (t) => {
  const { resourceMetadataUrl } = await challenge(s.a);
  const provider = new RecordingProvider({
    redirectUrl: s.callback.url,
    clientName: 'ignored: the document names the client',
    clientMetadataUrl: s.documentUrl,
  });

  assert.equal(await auth(provider, { serverUrl: s.a.url, resourceMetadataUrl }), 'REDIRECT');
  assert.equal(provider.clientInformation().client_id, s.documentUrl, 'the SDK uses the document URL as client_id (no registration)');
  const authUrl = provider.authorizationUrls[0];
  assert.equal(authUrl.searchParams.get('client_id'), s.documentUrl);
  assert.equal(authUrl.searchParams.get('resource'), s.a.uri);
  assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');

  const { context, page } = await newPage(s.browser);
  await signUpViaApi(context, newUser());
  const fetchesBefore = s.documentFetches.length;
  const query = await approveInBrowser(page, authUrl, { expectName: s.document.client_name, screenName: 'consent-mcp-cimd' });
  await context.close();
  assert.ok(s.documentFetches.length > fetchesBefore || fetchesBefore > 0, 'the server fetched the metadata document');
  assert.ok(s.documentFetches.every((f) => f.method === 'GET' && f.url === '/oauth/client-metadata.json'), JSON.stringify(s.documentFetches));
  assert.equal(query.error, undefined, JSON.stringify(query));
  assert.ok(query.code);
  assert.equal(query.state, provider.states.at(-1));

  assert.equal(await auth(provider, { serverUrl: s.a.url, resourceMetadataUrl, authorizationCode: query.code }), 'AUTHORIZED');
  const tokens = provider.tokens();
  assert.ok(tokens?.access_token && tokens.refresh_token, JSON.stringify(tokens));
  const info = await onlyResourceAAccepts(t, tokens.access_token, 'after the code exchange');
  assert.equal(info.client_id, s.documentUrl);
  assert.equal((await whoami(s.a, provider)).client_id, s.documentUrl);

  // A refresh straight at the token endpoint, naming the resource (RFC 8707 §2.2), keeps the audience.
  const res = await fetch(new URL('/api/oauth/token', s.api.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: s.documentUrl,
      resource: s.a.uri,
    }),
  });
  const refreshed = await res.json();
  assert.equal(res.status, 200, JSON.stringify(refreshed));
  assert.ok(refreshed.access_token);
  assert.notEqual(refreshed.access_token, tokens.access_token);
  await onlyResourceAAccepts(t, refreshed.access_token, 'after the refresh');

  assert.deepEqual(provider.invalidated, []);
}));
