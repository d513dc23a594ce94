// The suite's global setup: one API process (free port, fresh temp SQLite,
// the built dist/) for the whole run, then node's test runner on tests/,
// then the API is stopped whatever happened. Exit code = the runner's.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApi } from './lib/api-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = only.length
  ? only
  : fs.readdirSync(path.join(here, 'tests')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join('tests', f));

const api = await startApi();
console.log(`# API at ${api.baseUrl} (database ${api.databaseUrl})`);
let code = 1;
try {
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=60000', ...files], {
      cwd: here,
      stdio: 'inherit',
      env: { ...process.env, E2E_BASE_URL: api.baseUrl, E2E_DATABASE_URL: api.databaseUrl },
    });
    child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
} finally {
  if (code !== 0) {
    console.log(`# API log (${api.logFile}):`);
    console.log(fs.readFileSync(api.logFile, 'utf8').split('\n').slice(-40).join('\n'));
  }
  await api.stop();
}
process.exit(code);
