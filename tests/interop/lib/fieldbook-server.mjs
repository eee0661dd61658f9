// Runs the real fieldbook-sync-server binary for the interop tests.
//
//   const server = await FieldbookServer.start();      // fresh SQLite database, free port
//   server.wsUrl                                        // ws://127.0.0.1:PORT/sync (no credential)
//   await server.ticketUrl()                            // ws://…/sync?ticket=… for one connection
//   await server.stop('SIGTERM' | 'SIGKILL');
//   await server.start();                               // same port, same database
//   await server.dispose();                             // kill if running, remove the temp dir
//
// The binary comes from $FIELDBOOK_SERVER_BIN (`cargo xtask test` sets it). The server is started
// with `--listen 127.0.0.1:0` the first time; the address is read from the line it prints on
// stdout, `fieldbook listening on http://ADDR`, and later starts reuse that port so connected
// clients can come back to the same URL.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { withDeadline } from './wait.mjs';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const LISTENING = /fieldbook listening on http:\/\/(\S+)/;

export function serverBin() {
  const bin = process.env.FIELDBOOK_SERVER_BIN;
  if (!bin) {
    throw new Error(
      'FIELDBOOK_SERVER_BIN is not set. Run the interop tests through `cargo xtask test` ' +
        '(or set it to target/debug/fieldbook-sync-server).',
    );
  }
  return path.resolve(bin);
}

export class FieldbookServer {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  #child;
  /** @type {Promise<void> | undefined} */
  #exited;
  #output = [];
  /** Exit of the last run: { code, signal }. */
  lastExit;
  /** host:port, known after the first start. */
  addr;

  constructor() {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-interop-'));
    this.distDir = path.join(this.dataDir, 'dist');
    fs.mkdirSync(this.distDir);
    this.databaseUrl = `sqlite://${path.join(this.dataDir, 'fieldbook.db')}`;
  }

  /** A server on a free port with a fresh database, started. */
  static async start() {
    const server = new FieldbookServer();
    try {
      await server.start();
    } catch (err) {
      await server.dispose();
      throw err;
    }
    return server;
  }

  get url() {
    return `http://${this.addr}`;
  }

  get wsUrl() {
    return `ws://${this.addr}/sync`;
  }

  /**
   * A `/sync?ticket=…` URL for one connection, as a JavaScript client gets it: an API token made
   * once with the admin command `token create`, then `POST /api/sync-tickets` with it.
   */
  async ticketUrl() {
    if (!this.token) {
      const made = spawnSync(serverBin(), ['--database', this.databaseUrl, 'token', 'create', '--login', 'tech'], {
        encoding: 'utf8',
      });
      if (made.status !== 0) throw new Error(`token create failed: ${made.stderr}`);
      this.token = made.stdout.trim();
    }
    const response = await fetch(`${this.url}/api/sync-tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!response.ok) throw new Error(`POST /api/sync-tickets answered ${response.status}: ${await response.text()}`);
    const { ticket } = await response.json();
    return `${this.wsUrl}?ticket=${encodeURIComponent(ticket)}`;
  }

  get running() {
    return this.#child !== undefined;
  }

  log() {
    return this.#output.join('');
  }

  /** Starts the server (on the port of the first run, if there was one). */
  async start() {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const before = this.#output.length;
      try {
        await this.#startOnce();
        return;
      } catch (err) {
        // The port was ours a moment ago; the kernel may not have let go of it yet.
        const thisRun = this.#output.slice(before).join('');
        const portBusy = /Address already in use|AddrInUse|os error 98/i.test(thisRun);
        if (this.#child || !portBusy || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async #startOnce() {
    if (this.#child) throw new Error('the server is already running');
    const bin = serverBin();
    const args = [
      '--listen',
      this.addr ?? '127.0.0.1:0',
      '--database',
      this.databaseUrl,
      '--dist',
      this.distDir,
      '--demo',
    ];
    this.#output.push(`[interop] starting ${bin} ${args.join(' ')}\n`);
    const child = spawn(bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { RUST_LOG: 'info', ...process.env },
    });
    this.#child = child;
    this.lastExit = undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => this.#output.push(d));
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.lastExit = { code, signal };
        this.#output.push(`[interop] server exited: code=${code} signal=${signal}\n`);
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    const listening = new Promise((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (d) => {
        this.#output.push(d);
        stdout += d;
        const m = LISTENING.exec(stdout);
        if (m) resolve(m[1]);
      });
      child.once('error', (err) => reject(new Error(`could not start ${bin}: ${err.message}`)));
      child.once('exit', () =>
        reject(new Error(`the server exited before it listened.\n--- server log ---\n${this.log()}`)),
      );
    });
    this.addr = await withDeadline(listening, START_TIMEOUT_MS, () =>
      `the server did not print "fieldbook listening on" within ${START_TIMEOUT_MS} ms.\n--- server log ---\n${this.log()}`,
    );
  }

  /** Sends `signal` and waits until the process has exited. */
  async stop(signal = 'SIGTERM') {
    const child = this.#child;
    if (!child) return;
    const exited = this.#exited;
    child.kill(signal);
    try {
      await withDeadline(exited, STOP_TIMEOUT_MS, () => `the server did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}`);
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      throw err;
    }
  }

  /** Kills whatever still runs and removes the data directory (kept when `keep`). */
  async dispose({ keep = false } = {}) {
    if (this.#child) {
      const exited = this.#exited;
      this.#child.kill('SIGKILL');
      await exited;
    }
    if (keep) {
      console.log(`[interop] server data kept in ${this.dataDir}`);
    } else {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
