// Starts the real `api` binary on a free port with a fresh SQLite database
// and the built dist/, and stops it afterwards.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { apiBin, distDir } from './env.mjs';

/** A port the OS says is free right now (the API is told to bind it, so it can also be its PUBLIC_URL). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startOnce(tmp, args, env) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const databaseUrl = `sqlite://${path.join(tmp, 'oauth.db')}?mode=rwc`;
  const log = fs.openSync(path.join(tmp, 'api.log'), 'a');
  const child = spawn(apiBin, args, {
    env: {
      ...process.env,
      BIND_ADDR: `127.0.0.1:${port}`,
      PUBLIC_URL: baseUrl,
      DATABASE_URL: databaseUrl,
      DIST_DIR: distDir,
      SIGNUP_ENABLED: 'true',
      // Many sign-ins from one address in a few seconds is the suite, not an attack.
      MAX_AUTH_FAILURES: '1000',
      MAX_SOURCE_FAILURES: '100000',
      MAX_SIGNUPS_PER_SOURCE: '100000',
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', log],
  });
  const ready = await new Promise((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve(false), 30_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('listening on http://')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!ready) {
    child.kill('SIGKILL');
    return null;
  }
  child.stdout.resume();
  return { child, baseUrl, databaseUrl };
}

/**
 * Starts the API; retries on a new port if the chosen one was taken meanwhile.
 * `args` are extra command-line flags (e.g. `['--cimd-allow-loopback', 'true']`),
 * `env` extra environment variables (they win over the defaults above).
 * @param {{args?: string[], env?: Record<string, string>}} [options]
 */
export async function startApi({ args = [], env = {} } = {}) {
  if (!fs.existsSync(apiBin)) throw new Error(`no api binary at ${apiBin}: cargo build -p api --bin api`);
  if (!fs.existsSync(path.join(distDir, 'index.html'))) {
    throw new Error(`no ${distDir}/index.html: trunk build --release --offline`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-e2e-'));
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = await startOnce(tmp, args, env);
    if (started) {
      return {
        ...started,
        tmp,
        logFile: path.join(tmp, 'api.log'),
        async stop() {
          if (started.child.exitCode === null) {
            const exited = new Promise((r) => started.child.once('exit', r));
            started.child.kill('SIGTERM');
            const timer = setTimeout(() => started.child.kill('SIGKILL'), 5_000);
            await exited;
            clearTimeout(timer);
          }
          if (!process.env.E2E_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
        },
      };
    }
  }
  const log = fs.readFileSync(path.join(tmp, 'api.log'), 'utf8');
  throw new Error(`the API did not start:\n${log}`);
}
