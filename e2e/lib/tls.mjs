// A throwaway certificate authority and a server certificate it signed for
// localhost / 127.0.0.1 / ::1, made with the `openssl` CLI in a temp dir, and
// an https server that uses them (on 127.0.0.1 and, where the machine has
// IPv6, on ::1 at the same port, so `https://localhost:<port>` answers
// whichever address the name resolves to first).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(args, cwd) {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    if (err.code === 'ENOENT') {
      throw new Error('the `openssl` CLI is missing: the test CA for the client metadata document cannot be made (apt-get install openssl)');
    }
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

/**
 * Makes `ca.pem` (a self-signed CA, P-256) and `leaf.pem`/`leaf.key` (a
 * serverAuth certificate for localhost, 127.0.0.1 and ::1) valid for two days.
 * @returns {Promise<{dir: string, caFile: string, cert: string, key: string, ca: string, remove: () => void}>}
 */
export async function makeTestPki() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-e2e-pki-'));
  await openssl([
    'req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=oauth e2e test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash',
  ], dir);
  await openssl([
    'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost',
  ], dir);
  fs.writeFileSync(
    path.join(dir, 'leaf.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      'authorityKeyIdentifier=keyid',
      'subjectKeyIdentifier=hash',
      '',
    ].join('\n'),
  );
  await openssl([
    'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'leaf.pem', '-days', '2', '-sha256', '-extfile', 'leaf.ext',
  ], dir);
  const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    ca: read('ca.pem'),
    cert: read('leaf.pem'),
    key: read('leaf.key'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * An https server on loopback with the test CA's certificate.
 * @param {{cert: string, key: string}} pki
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void} handler
 */
export async function startHttpsServer(pki, handler) {
  const v4 = https.createServer({ cert: pki.cert, key: pki.key }, handler);
  await new Promise((resolve, reject) => {
    v4.once('error', reject);
    v4.listen(0, '127.0.0.1', resolve);
  });
  const { port } = v4.address();
  const servers = [v4];
  const v6 = https.createServer({ cert: pki.cert, key: pki.key }, handler);
  const onV6 = await new Promise((resolve) => {
    v6.once('error', () => resolve(false));
    v6.listen(port, '::1', () => resolve(true));
  });
  if (onV6) servers.push(v6);
  return {
    port,
    close: () => Promise.all(servers.map((s) => new Promise((r) => {
      s.closeAllConnections?.();
      s.close(() => r());
    }))),
  };
}
