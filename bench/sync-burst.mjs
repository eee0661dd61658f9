// A device signing in for the first time to a site with many incidents: how long until it holds
// them all, and how many IndexedDB write transactions it used to store them.
//
// Usage (from the repository root, after `cargo xtask build --release` and with the npm packages
// of tests/ installed): node bench/sync-burst.mjs  — or bench/sync-burst.sh, which builds.
// Env: FIELDBOOK_SERVER_BIN (default target/debug/fieldbook-sync-server), FIELDBOOK_DIST (dist),
//      FIELDBOOK_CHROMIUM (/usr/bin/chromium), INCIDENTS (200), RUNS (5).
//
// A first device creates the incidents through the app (as a person does, online). Each run is
// then a new device: its own Chromium profile on disk (so strict commits really reach the disk),
// signed in, timed from navigation start until the list counts every incident and the status strip
// says "Up to date". Write transactions are counted by wrapping IDBDatabase.transaction in the page.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { median, startDemoServer } from './server.mjs';

const require = createRequire(path.resolve('tests/package.json'));
const { chromium } = require('@playwright/test');

const INCIDENTS = Number(process.env.INCIDENTS ?? 200);
const RUNS = Number(process.env.RUNS ?? 5);
const executablePath = process.env.FIELDBOOK_CHROMIUM ?? '/usr/bin/chromium';
const { url, stop } = await startDemoServer('sync-bench');

async function signIn(context) {
  const login = await context.request.post(`${url}/api/login`, { data: { login: 'tech', password: 'fieldbook-demo' } });
  if (!login.ok()) throw new Error(`sign-in failed: ${login.status()}`);
}

const total = `${INCIDENTS + 3} incidents`;
try {
  // The first device logs the incidents.
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const context = await browser.newContext();
  await signIn(context);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByText('3 incidents').waitFor();
  for (let i = 1; i <= INCIDENTS; i++) {
    await page.getByRole('link', { name: 'New incident' }).click();
    await page.getByLabel('Title').fill(`Scanner ${i} does not read labels`);
    await page.getByRole('button', { name: 'Save incident' }).click();
    await page.getByText('Saved on this device').waitFor();
    await page.getByRole('link', { name: '← Incidents' }).click();
  }
  await page.getByText(total).waitFor({ timeout: 60_000 });
  await page.getByText('All changes are on the server').waitFor({ timeout: 120_000 });
  await browser.close();

  const times = [];
  const writes = [];
  for (let run = 0; run < RUNS; run++) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-sync-bench-profile-'));
    const device = await chromium.launchPersistentContext(profile, { executablePath, args: ['--no-sandbox'] });
    try {
      await signIn(device);
      const page = device.pages()[0] ?? (await device.newPage());
      await page.addInitScript(() => {
        const original = IDBDatabase.prototype.transaction;
        window.__writeTransactions = 0;
        IDBDatabase.prototype.transaction = function (stores, mode, options) {
          if (mode === 'readwrite') window.__writeTransactions++;
          return original.call(this, stores, mode, options);
        };
      });
      await page.goto(url);
      await page.getByText(total).waitFor({ timeout: 120_000 });
      await page.getByRole('status', { name: 'Sync status' }).getByText('Up to date').waitFor({ timeout: 120_000 });
      times.push(await page.evaluate(() => performance.now()));
      writes.push(await page.evaluate(() => window.__writeTransactions));
    } finally {
      await device.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`first sync of ${INCIDENTS + 3} incidents, ${RUNS} runs, headless Chromium on disk, ${os.cpus().length} × ${cpu}`);
  console.log(`navigation start to all listed and up to date, median ${median(times).toFixed(0)} ms, all ${times.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`IndexedDB write transactions, median ${median(writes)}, all ${writes.join(' ')}`);
} finally {
  stop();
}
