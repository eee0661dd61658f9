// Starts the sync server for a benchmark: a fresh SQLite database with the demo data, on a free
// port. Env: FIELDBOOK_SERVER_BIN (default target/debug/fieldbook-sync-server), FIELDBOOK_DIST (dist).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Resolves to `{ url, stop }` once the server listens (after writing the demo data, which takes
 * a while with many incidents); `stop()` kills it and removes its data. `args` are added to the
 * server's command line, e.g. `['--demo-incidents', '10000']`.
 */
export async function startDemoServer(name, args = []) {
  const bin = path.resolve(process.env.FIELDBOOK_SERVER_BIN ?? 'target/debug/fieldbook-sync-server');
  const dist = path.resolve(process.env.FIELDBOOK_DIST ?? 'dist');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fieldbook-${name}-`));
  const server = spawn(bin, ['--listen', '127.0.0.1:0', '--database', `sqlite://${dir}/db.sqlite`, '--dist', dist, '--demo', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const stop = () => {
    server.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url, stop };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
