// A device that holds 10,000 incidents the server already has comes back: how long from opening
// the app until it is up to date, how much memory the app's WebAssembly holds then, and how many
// records it read from IndexedDB to get there.
//
// Usage (from the repository root, after `cargo xtask build --release` and with the npm packages
// of tests/ installed): node bench/reconnect-10k.mjs  — or bench/reconnect-10k.sh, which builds.
// Env: FIELDBOOK_SERVER_BIN (default target/debug/fieldbook-sync-server), FIELDBOOK_DIST (dist),
//      FIELDBOOK_CHROMIUM (/usr/bin/chromium), INCIDENTS (10000), RUNS (5).
//
// The server starts with `--demo --demo-incidents N`: real incident documents, listed in the demo
// site's catalog. One device (its own Chromium profile on disk) signs in and syncs them all once
// (timed too: a first sign-in). Then, per run, it reopens the app: a new page, so nothing is in
// memory, timed from navigation start until the status strip says "Up to date" and "All changes
// are on the server". One incident is changed on the server in between by a second device, so
// each run also has one record to fetch.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { median, startDemoServer } from './server.mjs';

const require = createRequire(path.resolve('tests/package.json'));
const { chromium } = require('@playwright/test');

const INCIDENTS = Number(process.env.INCIDENTS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);
const executablePath = process.env.FIELDBOOK_CHROMIUM ?? '/usr/bin/chromium';
const started = Date.now();
const { url, stop } = await startDemoServer('reconnect-bench', ['--demo-incidents', String(INCIDENTS)]);
console.log(`server with ${INCIDENTS} demo incidents ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);

const strip = (page) => page.getByRole('status', { name: 'Sync status' });
async function upToDate(page) {
  await strip(page).getByText('Up to date').waitFor({ timeout: 1_800_000 });
  await strip(page).getByText('All changes are on the server').waitFor({ timeout: 1_800_000 });
}
async function signIn(context, login) {
  const response = await context.request.post(`${url}/api/login`, { data: { login, password: 'fieldbook-demo' } });
  if (!response.ok()) throw new Error(`sign-in failed: ${response.status()}`);
}
/** Bytes of the app's WebAssembly memory (it grows and never shrinks: the peak so far). */
const wasmBytes = (page) =>
  page.evaluate(async () => {
    const script = document.querySelector('script[type=module]').textContent;
    const module = await import(/from '([^']+)'/.exec(script)[1]);
    const exports = await module.default();
    return exports.memory.buffer.byteLength;
  });

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-reconnect-bench-profile-'));
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const device = await chromium.launchPersistentContext(profile, { executablePath, args: ['--no-sandbox'], viewport: { width: 1024, height: 768 } });
  await signIn(device, 'tech');
  await device.addInitScript(() => {
    // Every record whose stored changes the page reads (a key range on the `chunks` store).
    const read = new Set();
    window.__recordsRead = read;
    for (const method of ['openCursor', 'getAll', 'getAllKeys']) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (query, ...rest) {
        if (this.name === 'chunks' && query instanceof IDBKeyRange && Array.isArray(query.lower)) read.add(String(query.lower[0]));
        return original.call(this, query, ...rest);
      };
    }
  });
  let page = device.pages()[0] ?? (await device.newPage());
  await page.goto(url);
  await page.getByText(`${INCIDENTS} incidents`).waitFor({ timeout: 1_800_000 });
  await upToDate(page);
  const firstSync = await page.evaluate(() => performance.now());
  console.log(`first sign-in: ${INCIDENTS} incidents on the device and up to date in ${(firstSync / 1000).toFixed(1)} s`);

  // A second device changes one incident between runs.
  const other = await browser.newContext();
  await signIn(other, 'tech2');
  const otherPage = await other.newPage();
  await otherPage.goto(url);
  await upToDate(otherPage);

  const times = [];
  const memory = [];
  const read = [];
  for (let run = 0; run < RUNS; run++) {
    await page.close();
    await otherPage.getByRole('searchbox').fill('Wi-Fi down in warehouse B');
    await otherPage.getByRole('link', { name: /Wi-Fi down in warehouse B/ }).first().click();
    await otherPage.getByLabel('Title').fill(`Wi-Fi down in warehouse B (run ${run + 1})`);
    await otherPage.getByRole('button', { name: 'Save changes' }).click();
    await upToDate(otherPage);
    await otherPage.getByRole('link', { name: '← Incidents' }).click();

    page = await device.newPage();
    await page.goto(url);
    await upToDate(page);
    times.push(await page.evaluate(() => performance.now()));
    memory.push(await wasmBytes(page));
    read.push(await page.evaluate(() => window.__recordsRead.size));
    // The change made elsewhere is on the device.
    await page.getByRole('searchbox').fill(`run ${run + 1})`);
    await page.getByRole('link', { name: new RegExp(`run ${run + 1}\\)`) }).waitFor({ timeout: 60_000 });
  }
  await device.close();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const mb = (b) => (b / 1_048_576).toFixed(1);
  console.log(`reopen with ${INCIDENTS} incidents on the device, one changed elsewhere, ${RUNS} runs, headless Chromium on disk, ${os.cpus().length} × ${cpu}`);
  console.log(`navigation start to up to date, median ${median(times).toFixed(0)} ms, all ${times.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`WebAssembly memory then, median ${mb(median(memory))} MB, all ${memory.map(mb).join(' ')}`);
  console.log(`records read from IndexedDB, median ${median(read)}, all ${read.join(' ')}`);
} finally {
  await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
  stop();
}
