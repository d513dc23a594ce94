// A protected resource standing in for an MCP server: plain node:http on
// 127.0.0.1 (port 0) that
// - publishes RFC 9728 protected-resource metadata at
//   /.well-known/oauth-protected-resource and its path-suffixed form
//   /.well-known/oauth-protected-resource/mcp (what the SDK asks first),
// - answers /mcp with 401 and `WWW-Authenticate: Bearer resource_metadata="…"`
//   unless the Bearer token is good,
// - decides "good" by introspecting the token at our authorization server
//   (RFC 7662) with HTTP Basic and its own resource credentials: only
//   `active: true` with its own URI in `aud` (an array of strings) passes,
// - then speaks MCP (Streamable HTTP, stateless, JSON responses) through the
//   SDK's own server, with one tool, `whoami`, that echoes the introspection.
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/**
 * `toolScopes`: tools beyond `whoami`, each with the scopes it needs; a call
 * whose token lacks one is answered 403 `insufficient_scope` with the scopes
 * the token has plus the ones the tool needs (MCP step-up).
 * @param {{name: string, authorizationServer: string, scopes: string[], toolScopes?: Record<string, string[]>}} opts
 */
export async function startMcpResource({ name, authorizationServer, scopes, toolScopes = {} }) {
  let credentials;
  const metadataRequests = [];
  /** Every introspection this resource made: `{status, body}` of the answer. */
  const introspections = [];
  /** Every /mcp request: `{method, authorized, status}`. */
  const requests = [];

  const srv = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err?.stack ?? err));
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${srv.address().port}`;
  const uri = `${origin}/mcp`;
  const metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
  const metadata = {
    resource: uri,
    authorization_servers: [authorizationServer],
    scopes_supported: scopes,
    bearer_methods_supported: ['header'],
    resource_name: name,
  };

  /** RFC 7662 with the resource's own credentials; returns the parsed answer (or throws on a non-200). */
  async function introspect(token) {
    if (!credentials) throw new Error(`${name}: no credentials yet (call useCredentials)`);
    const basic = Buffer.from(
      `${encodeURIComponent(credentials.resource_id)}:${encodeURIComponent(credentials.resource_secret)}`,
    ).toString('base64');
    const res = await fetch(new URL('/api/oauth/introspect', authorizationServer), {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    introspections.push({ status: res.status, body });
    if (res.status !== 200) {
      throw new Error(`${name}: introspection answered ${res.status}: ${text}`);
    }
    return body;
  }

  /** The resource's rule: active, and this resource is in the audience. */
  function accepts(info) {
    return info?.active === true && Array.isArray(info.aud) && info.aud.every((a) => typeof a === 'string') && info.aud.includes(uri);
  }

  function unauthorized(res, error) {
    const params = [`resource_metadata="${metadataUrl}"`];
    if (error) params.push(`error="${error}"`);
    res.writeHead(401, {
      'www-authenticate': `Bearer ${params.join(', ')}`,
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ error: error ?? 'unauthorized' }));
  }

  async function handle(req, res) {
    const url = new URL(req.url, origin);
    if (url.pathname === '/.well-known/oauth-protected-resource' || url.pathname === '/.well-known/oauth-protected-resource/mcp') {
      metadataRequests.push(url.pathname);
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(metadata));
      return;
    }
    if (url.pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match) {
      requests.push({ method: req.method, authorized: false, status: 401 });
      unauthorized(res);
      return;
    }
    const info = await introspect(match[1]);
    if (!accepts(info)) {
      requests.push({ method: req.method, authorized: false, status: 401, info });
      unauthorized(res, 'invalid_token');
      return;
    }
    if (req.method !== 'POST') {
      // Stateless: no standalone SSE stream, no sessions to delete.
      requests.push({ method: req.method, authorized: true, status: 405 });
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
      return;
    }
    const held = typeof info.scope === 'string' ? info.scope.split(' ') : [];
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
    const needed = body?.method === 'tools/call' ? toolScopes[body.params?.name] : undefined;
    if (needed && !needed.every((n) => held.includes(n))) {
      const want = [...new Set([...held, ...needed])].join(' ');
      requests.push({ method: req.method, authorized: true, status: 403, info });
      res.writeHead(403, {
        'www-authenticate': `Bearer error="insufficient_scope", scope="${want}", resource_metadata="${metadataUrl}"`,
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ error: 'insufficient_scope' }));
      return;
    }
    requests.push({ method: req.method, authorized: true, status: 200, info });
    const mcp = new McpServer({ name, version: '1.0.0' });
    const whoami = async () => ({
      content: [{ type: 'text', text: JSON.stringify({ sub: info.sub, client_id: info.client_id, scope: info.scope, aud: info.aud }) }],
    });
    mcp.registerTool('whoami', { description: 'What the access token says about its holder' }, whoami);
    for (const tool of Object.keys(toolScopes)) {
      mcp.registerTool(tool, { description: `Needs ${toolScopes[tool].join(' ')}` }, whoami);
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      transport.close();
      mcp.close();
    });
    await mcp.connect(transport);
    req.auth = {
      token: match[1],
      clientId: info.client_id,
      scopes: typeof info.scope === 'string' ? info.scope.split(' ') : [],
      expiresAt: info.exp,
      resource: new URL(uri),
    };
    await transport.handleRequest(req, res, body);
  }

  return {
    name,
    origin,
    /** The resource indicator (RFC 8707) and the MCP endpoint. */
    uri,
    url: uri,
    metadataUrl,
    metadata,
    metadataRequests,
    introspections,
    requests,
    /** Sets the `{resource_id, resource_secret}` that `oauth-admin register-resource` printed. */
    useCredentials(c) {
      credentials = c;
    },
    introspect,
    accepts,
    close: () => new Promise((r) => {
      srv.closeAllConnections?.();
      srv.close(() => r());
    }),
  };
}
