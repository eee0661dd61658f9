// Playwright fixtures for the interop project: `jsServer` runs tests/interop/js-sync-server.mjs
// (the JavaScript automerge-repo sync server) as a child process, serving the built app from
// $FIELDBOOK_DIST, with a fresh data dir per test. It is stopped after the test.
import { test as base, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export type JsServer = {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** The site catalog's document id, as /api/me gives it. */
  catalogId: string;
  dataDir: string;
  log(): string;
  /** The document as the JS server reads it (JSON), or undefined while it does not have it. */
  doc(id: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Stops the server (SIGTERM: it flushes its storage) and starts it again on the same port with
   * the same data: only the catalog is loaded again; other documents stay on disk until asked for.
   */
  restart(): Promise<void>;
};

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'js-sync-server.mjs');

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set. Run the interop tests through \`cargo xtask test\` (or set it yourself).`);
  }
  return path.resolve(value);
}

async function start(
  dist: string,
  dataDir: string,
  output: string[],
  listen = '127.0.0.1:0',
): Promise<{ child: ChildProcess; url: string; catalogId: string }> {
  const args = [SCRIPT, '--listen', listen, '--dist', dist, '--data', dataDir];
  output.push(`[fixture] starting ${process.execPath} ${args.join(' ')}\n`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.join(HERE, '..') });
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => output.push(d));
  child.once('exit', (code, signal) => output.push(`[fixture] js sync server exited: code=${code} signal=${signal}\n`));
  let timer: NodeJS.Timeout | undefined;
  try {
    const started = await new Promise<{ url: string; catalogId: string }>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', (d: string) => {
        output.push(d);
        stdout += d;
        const url = /js sync server listening on (http:\/\/\S+)/.exec(stdout);
        const catalog = /catalog (\S+)/.exec(stdout);
        if (url && catalog) resolve({ url: url[1], catalogId: catalog[1] });
      });
      child.once('error', reject);
      child.once('exit', () => reject(new Error(`the JS sync server exited before it listened.\n${output.join('')}`)));
      timer = setTimeout(
        () => reject(new Error(`the JS sync server did not start within ${START_TIMEOUT_MS} ms.\n${output.join('')}`)),
        START_TIMEOUT_MS,
      );
    });
    return { child, ...started };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

export const test = base.extend<{ jsServer: JsServer }>({
  jsServer: async ({}, use, testInfo) => {
    const dist = requiredEnv('FIELDBOOK_DIST');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-interop-js-'));
    const output: string[] = [];
    let { child, url, catalogId } = await start(dist, dataDir, output);
    const server: JsServer = {
      url,
      catalogId,
      dataDir,
      log: () => output.join(''),
      async doc(id) {
        const res = await fetch(`${url}/_interop/doc/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(5_000) });
        return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
      },
      async restart() {
        await stop(child);
        const listen = new URL(url).host;
        // The port was ours a moment ago; give the kernel a moment if it is still busy.
        const deadline = Date.now() + 10_000;
        for (;;) {
          try {
            ({ child } = await start(dist, dataDir, output, listen));
            break;
          } catch (err) {
            if (!/EADDRINUSE/.test(String(err)) || Date.now() > deadline) throw err;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      },
    };
    try {
      await use(server);
    } finally {
      await stop(child);
      const failed = testInfo.status !== testInfo.expectedStatus;
      if (failed) {
        await testInfo.attach('js-sync-server.log', { body: server.log(), contentType: 'text/plain' });
        console.log(`[fixture] test failed; JS server data kept in ${dataDir}`);
      } else {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  },
});

export { expect };
