// The third-party app's redirect endpoint: a local server that records the
// query each request arrives with (and, in `requests`, the path too: any
// path on its origin answers, e.g. a post-logout page).
import http from 'node:http';

export async function startCallbackServer() {
  const hits = [];
  const requests = [];
  const waiters = [];
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const params = Object.fromEntries(url.searchParams);
    requests.push({ path: url.pathname, params });
    hits.push(params);
    for (const w of waiters.splice(0)) w(params);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>Callback</title><h1>Callback received</h1></html>');
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/callback`,
    hits,
    requests,
    /** The next request's query (or the last one, if it already came). */
    next(timeoutMs = 10_000) {
      if (hits.length) return Promise.resolve(hits[hits.length - 1]);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no request reached the callback')), timeoutMs);
        waiters.push((p) => {
          clearTimeout(t);
          resolve(p);
        });
      });
    },
    close: () => new Promise((r) => srv.close(r)),
  };
}
