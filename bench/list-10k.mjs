// The incident list with 10,000 incidents on the device, in headless Chromium at phone size:
// how long until the list shows after a reload, and how long a search takes to update it.
//
// Usage (from the repository root, after `cargo xtask build --release` and with the npm packages
// of tests/ installed): node tests/../bench/list-10k.mjs  — or bench/list-10k.sh, which builds.
// Env: FIELDBOOK_SERVER_BIN (default target/debug/fieldbook-sync-server), FIELDBOOK_DIST (dist),
//      FIELDBOOK_CHROMIUM (/usr/bin/chromium), ROWS (10000), RUNS (5).
//
// The rows are written straight into the device's `records` store, in the form the app writes
// them (JSON text per summary), beside the demo site's three real incidents: the list reads only
// these rows, never the documents, so this measures the list itself.
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { median, startDemoServer } from './server.mjs';

const require = createRequire(path.resolve('tests/package.json'));
const { chromium } = require('@playwright/test');

const ROWS = Number(process.env.ROWS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);
const { url, stop } = await startDemoServer('list-bench');
const browser = await chromium.launch({ executablePath: process.env.FIELDBOOK_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const login = await context.request.post(`${url}/api/login`, { data: { login: 'tech', password: 'fieldbook-demo' } });
  if (!login.ok()) throw new Error(`sign-in failed: ${login.status()}`);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByText('3 incidents').waitFor();

  // Seed the device.
  await page.evaluate(async (rows) => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('fieldbook');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction('records', 'readwrite');
    const store = tx.objectStore('records');
    const words = ['printer', 'badge', 'Wi-Fi', 'scanner', 'conveyor', 'laptop', 'VPN', 'phone', 'camera', 'door'];
    const places = ['dock 1', 'gate 3', 'warehouse B', 'office 2', 'packing station 5', 'yard'];
    const now = Date.now();
    for (let i = 0; i < rows; i++) {
      const id = `bench${String(i).padStart(8, '0')}`;
      const summary = {
        id,
        kind: 'incident',
        site: 'demo',
        title: `${words[i % words.length]} fault at ${places[i % places.length]} (${i})`,
        status: ['New', 'Assigned', 'In progress', 'On hold'][i % 4],
        priority: 1 + (i % 4),
        conflicts: false,
        reference: `INC-${String(100 + i).padStart(6, '0')}`,
        created_at_ms: now - i * 60_000,
        assignee: i % 3 === 0 ? 'Sam Okafor' : null,
        sla: { state: i % 4 === 3 ? 'Paused' : 'Running', counting: i % 4 !== 3, remaining_ms: (i % 500) * 60_000 - 3_600_000, at_ms: now },
      };
      store.put(JSON.stringify(summary), id);
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, ROWS);

  const total = `${ROWS + 3} incidents`;
  const opens = [];
  const searches = [];
  for (let run = 0; run < RUNS; run++) {
    await page.reload();
    await page.getByText(total).waitFor({ timeout: 60_000 });
    await page.getByRole('list', { name: 'Incidents' }).getByRole('listitem').first().waitFor();
    opens.push(await page.evaluate(() => performance.now()));
    // One search: from the input event to the count changing in the DOM.
    searches.push(
      await page.evaluate(async () => {
        const input = document.querySelector('input[type=search]');
        const count = document.querySelector('.count');
        const changed = new Promise((resolve) => {
          new MutationObserver((_, observer) => {
            observer.disconnect();
            resolve(performance.now());
          }).observe(count, { childList: true, subtree: true, characterData: true });
        });
        const start = performance.now();
        input.value = 'printer dock';
        input.dispatchEvent(new Event('input', { bubbles: true }));
        return (await changed) - start;
      }),
    );
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`list with ${ROWS + 3} incidents, ${RUNS} runs, headless Chromium 390x844, ${os.cpus().length} × ${cpu}`);
  console.log(`open (navigation start to first card), median ${median(opens).toFixed(0)} ms, all ${opens.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`search (input to list updated), median ${median(searches).toFixed(1)} ms, all ${searches.map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await browser.close();
  stop();
}
