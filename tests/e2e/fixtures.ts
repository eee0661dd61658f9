// Shared Playwright fixtures for the Fieldbook end-to-end tests.
//
//   import { test, expect } from './fixtures';
//   test('opens', async ({ page, server }) => { await page.goto(server.url); ... });
//
// `server` starts a fresh fieldbook-sync-server for each test that asks for it:
//   $FIELDBOOK_SERVER_BIN --listen 127.0.0.1:<free port>
//                         --database sqlite://<fresh temp dir>/fieldbook.db
//                         --dist $FIELDBOOK_DIST
// and waits until GET /healthz answers 200. It is killed after the test.
// A test that wants demo data (or other flags) says so with
//   test.use({ serverOptions: { demo: true } });
// `secondServer` is another Fieldbook with its own database, for a test that moves records
// between two (its options: `secondServerOptions`, e.g. `setup` commands for its directory).
import { test as base, expect, type BrowserContext, type TestInfo } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export type ServerOptions = {
  /** Pass --demo (seed demo organisation, users and records). */
  demo?: boolean;
  /** Extra command-line arguments appended after the standard ones. */
  args?: string[];
  /** Extra environment variables for the server process. */
  env?: Record<string, string>;
  /**
   * Administration commands run on the fresh database before the server first starts, e.g.
   * `{ args: ['org', 'add', 'acme', 'Acme'] }`; `input` is their standard input (a password).
   */
  setup?: { args: string[]; input?: string }[];
  /** How long the server may take to answer /healthz (demo data with many records takes a while). */
  startTimeoutMs?: number;
};


export type Server = {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** The temp dir holding the database; fresh for each test. */
  dataDir: string;
  /** The --database argument. */
  databaseUrl: string;
  /** Everything the server wrote to stdout and stderr so far (all runs). */
  log(): string;
  /** Exit status of the last stopped run, if any. */
  lastExit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Send `signal` and wait until the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL (a crash: no graceful shutdown) and wait until the process has exited. */
  kill9(): Promise<void>;
  /** Stop (SIGTERM) if running, then start again on the same port with the same database. */
  restart(): Promise<void>;
  /** Serve another build from the next (re)start on: a new version deployed. */
  deploy(dist: string): void;
};

const HEALTH_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** Ask the kernel for a free TCP port on 127.0.0.1 by binding port 0. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const port = addr.port;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Run the end-to-end tests through \`cargo xtask test\` ` +
        `(or set FIELDBOOK_SERVER_BIN and FIELDBOOK_DIST yourself).`,
    );
  }
  return path.resolve(value);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class ServerProcess implements Server {
  url: string;
  dataDir: string;
  databaseUrl: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private output: string[] = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    private readonly bin: string,
    private readonly dist: string,
    readonly port: number,
    private readonly options: ServerOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.currentDist = dist;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-e2e-'));
    this.databaseUrl = `sqlite://${path.join(this.dataDir, 'fieldbook.db')}`;
  }

  private currentDist = '';

  log(): string {
    return this.output.join('');
  }

  deploy(dist: string): void {
    this.currentDist = dist;
  }

  lastExit() {
    return this.exit;
  }

  /** Runs the `setup` commands against the database (before the first start). */
  administer(): void {
    for (const step of this.options.setup ?? []) {
      const result = spawnSync(this.bin, ['--database', this.databaseUrl, ...step.args], {
        input: step.input ?? '',
        encoding: 'utf8',
        env: { ...process.env, RUST_LOG: 'warn' },
      });
      this.output.push(`[fixture] setup ${step.args.join(' ')}\n${result.stdout}${result.stderr}`);
      if (result.status !== 0) {
        throw new Error(`setup \`${step.args.join(' ')}\` failed (${result.status}):\n${result.stderr}`);
      }
    }
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('server already running');
    const args = [
      '--listen',
      `127.0.0.1:${this.port}`,
      '--database',
      this.databaseUrl,
      '--dist',
      this.currentDist,
      ...(this.options.demo ? ['--demo'] : []),
      ...(this.options.args ?? []),
    ];
    this.output.push(`[fixture] starting ${this.bin} ${args.join(' ')}\n`);
    const child = spawn(this.bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { RUST_LOG: 'info', ...process.env, ...(this.options.env ?? {}) },
    });
    this.child = child;
    this.exit = undefined;
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => this.output.push(d));
    child.stderr?.on('data', (d: string) => this.output.push(d));
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.output.push(`[fixture] server exited: code=${code} signal=${signal}\n`);
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (err) => reject(new Error(`could not start ${this.bin}: ${err.message}`))),
    );
    await Promise.race([this.waitHealthy(child), spawnError]);
  }

  private async waitHealthy(child: ChildProcess): Promise<void> {
    const timeout = this.options.startTimeoutMs ?? HEALTH_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    let lastError = '';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`server exited before it became healthy.\n--- server log ---\n${this.log()}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastError = String(err);
      }
      await sleep(100);
    }
    throw new Error(
      `server did not answer GET /healthz with 200 within ${timeout} ms (last: ${lastError}).\n` +
        `--- server log ---\n${this.log()}`,
    );
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    child.kill(signal);
    const exited = this.exited;
    const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}; killed it`);
    }
  }

  async kill9(): Promise<void> {
    await this.stop('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop('SIGTERM');
    // The port was ours a moment ago; give the kernel a moment if it is still busy.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const before = this.output.length;
      try {
        await this.start();
        return;
      } catch (err) {
        const thisRun = this.output.slice(before).join('');
        const portBusy = /Address already in use|AddrInUse|os error 98/i.test(thisRun);
        if (this.child || !portBusy || Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
  }

  /** Kill whatever is still running and remove the data dir (kept when `keep` is set). */
  async dispose(keep: boolean): Promise<void> {
    if (this.child) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    if (!keep) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The password of every demo user (`fieldbook-sync-server --demo`). */
export const DEMO_PASSWORD = 'fieldbook-demo';

/**
 * Signs a browser context in as a demo user through the API, as the sign-in page would: the
 * session cookie lands in the context's cookie jar.
 */
export async function signIn(context: BrowserContext, url: string, login = 'tech'): Promise<void> {
  const response = await context.request.post(`${url}/api/login`, {
    data: { login, password: DEMO_PASSWORD },
  });
  expect(response.status(), `sign in as ${login}`).toBe(200);
}

/** Starts a server on a fresh database for the length of a test; keeps its data if it failed. */
async function serve(
  options: ServerOptions,
  use: (server: Server) => Promise<void>,
  testInfo: TestInfo,
  name: string,
): Promise<void> {
  const bin = requiredEnv('FIELDBOOK_SERVER_BIN');
  const dist = requiredEnv('FIELDBOOK_DIST');
  const server = new ServerProcess(bin, dist, await freePort(), options);
  try {
    server.administer();
    await server.start();
    await use(server);
  } finally {
    const failed = testInfo.status !== testInfo.expectedStatus;
    await server.dispose(failed);
    if (failed) {
      await testInfo.attach(`${name}.log`, { body: server.log(), contentType: 'text/plain' });
      console.log(`[fixture] test failed; ${name} data kept in ${server.dataDir}`);
    }
  }
}

export const test = base.extend<{
  serverOptions: ServerOptions;
  server: Server;
  secondServerOptions: ServerOptions;
  secondServer: Server;
  closeDevices: void;
}>({
  serverOptions: [{}, { option: true }],
  // The default device of a test on a demo server is signed in as the demo technician.
  context: async ({ context, server, serverOptions }, use) => {
    if (serverOptions.demo) await signIn(context, server.url);
    await use(context);
  },
  // Devices a test opened with browser.newContext() would otherwise live on in the shared
  // browser and reconnect to whichever server next gets their port: close them after each test.
  closeDevices: [
    async ({ browser }, use) => {
      await use();
      await Promise.all(browser.contexts().map((c) => c.close().catch(() => {})));
    },
    { auto: true },
  ],
  server: async ({ serverOptions }, use, testInfo) => {
    await serve(serverOptions, use, testInfo, 'server');
  },
  secondServerOptions: [{}, { option: true }],
  secondServer: async ({ secondServerOptions }, use, testInfo) => {
    await serve(secondServerOptions, use, testInfo, 'second-server');
  },
});

export { expect };
