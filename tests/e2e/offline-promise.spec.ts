// The offline promise: nothing shown as saved is ever lost, whatever happens to
// the browser, the storage, or the app's version.
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { Audit, Audits, ISO_TEMPLATE, ITEMS } from './audit';
import { Templates } from './templates';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, expect } from './fixtures';
import { Fieldbook } from './app';

test.use({ serverOptions: { demo: true } });

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A Chromium we start ourselves on a profile directory, so we can SIGKILL it. */
async function launchOwnChromium(profile: string): Promise<{ browser: Browser; child: ChildProcess }> {
  const child = spawn(
    process.env.FIELDBOOK_CHROMIUM ?? '/usr/bin/chromium',
    [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${seen}`)), 20_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      seen += chunk;
      const match = seen.match(/DevTools listening on (ws:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}):\n${seen}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return { browser, child };
}

/** SIGKILL, and wait until both the process and Playwright's connection to it are gone. */
async function kill9(child: ChildProcess, browser: Browser) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const disconnected = new Promise((resolve) => browser.once('disconnected', resolve));
  child.kill('SIGKILL');
  await Promise.all([exited, disconnected]);
}

test('an edit is on the device as soon as it says saved, even if the browser is killed right then (20 times)', async ({ server }) => {
  test.setTimeout(240_000);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-profile-'));
  try {
    // First start, online: the device learns its site and the shell is cached.
    let { browser, child } = await launchOwnChromium(profile);
    let page = await browser.contexts()[0].newPage();
    let app = new Fieldbook(page);
    await page.goto(server.url);
    await app.signIn();
    await app.expectAllSynced();
    await app.waitForOfflineShell();
    await app.openIncident('Wi-Fi down in warehouse B');

    // From here on the server is gone: only the device's own storage can keep edits.
    await server.stop();
    for (let round = 1; round <= 20; round++) {
      const title = `Wi-Fi down, round ${round}`;
      await page.getByLabel('Title').fill(title);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved on this device' })).toBeVisible();
      await kill9(child, browser);

      ({ browser, child } = await launchOwnChromium(profile));
      page = await browser.contexts()[0].newPage();
      app = new Fieldbook(page);
      await page.goto(server.url + '/incidents');
      await expect(app.incidentLink(title)).toBeVisible();
      await app.openIncident(title);
    }
    await kill9(child, browser);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('a new version is offered, not forced, and 100 unsynced edits survive it and sync', async ({ browser, server }) => {
  test.setTimeout(180_000);
  // Version 2 of the app: same code, new service worker build id and a restyled page.
  const v2 = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-v2-'));
  fs.cpSync(process.env.FIELDBOOK_DIST!, v2, { recursive: true });
  const sw = path.join(v2, 'sw.js');
  fs.writeFileSync(sw, fs.readFileSync(sw, 'utf8').replace(/const BUILD = (['"])(\w+)\1/, 'const BUILD = "$2-v2"'));
  fs.appendFileSync(path.join(v2, 'style', 'app.css'), '\n/* version 2 */\n');

  const context = await browser.newContext();
  const app = await Fieldbook.open(context, server.url);
  await app.expectAllSynced();
  await app.waitForOfflineShell();
  await app.openIncident('Label printer offline at packing station 5');

  await context.setOffline(true);
  for (let i = 1; i <= 100; i++) {
    await app.page.getByLabel('Description').fill(`Checked cable, attempt ${i}`);
    await app.page.getByRole('button', { name: 'Save changes' }).click();
    await expect(app.page.getByRole('status').filter({ hasText: 'Saved on this device' })).toBeVisible();
    await expect(app.strip).toContainText(`${i} change${i === 1 ? '' : 's'} not yet on the server`);
  }

  // Version 2 is deployed while the tablet is offline with its 100 edits.
  server.deploy(v2);
  await server.restart();
  await context.setOffline(false);
  await app.page.reload();
  const banner = app.page.getByRole('region', { name: 'New version' });
  await expect(banner).toBeVisible({ timeout: 20_000 });
  // Offered, not forced: the page keeps working under the old version until asked.
  await expect(app.page.getByLabel('Description')).toHaveValue('Checked cable, attempt 100');
  await banner.getByRole('button', { name: 'Reload to update' }).click();
  await expect(banner).toHaveCount(0);
  await expect(app.page.getByLabel('Description')).toHaveValue('Checked cable, attempt 100');
  const css = await app.page.evaluate(async () => (await fetch('/style/app.css')).text());
  expect(css).toContain('version 2');
  await app.expectAllSynced();

  // The server has the edits: a device that never saw them gets the last one.
  const fresh = await Fieldbook.open(await browser.newContext(), server.url);
  await fresh.openIncident('Label printer offline at packing station 5');
  await expect(fresh.page.getByLabel('Description')).toHaveValue('Checked cable, attempt 100');
  fs.rmSync(v2, { recursive: true, force: true });
});

test('every page has no serious or critical accessibility violations @phone', async ({ page, server, browser }) => {
  const app = new Fieldbook(page);
  const check = async (where: string, on = page) => {
    const results = await new AxeBuilder({ page: on }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${where}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
  };
  await page.goto(server.url);
  await app.expectAllSynced();
  await check('incident list');
  await page.getByRole('link', { name: 'New incident' }).click();
  await expect(page.getByLabel('Title')).toBeVisible();
  await check('new incident');
  await page.goto(server.url + '/incidents');
  await app.openIncident('Wi-Fi down in warehouse B');
  await check('incident');
  await page.getByRole('link', { name: 'Sync details' }).click();
  await expect(page.getByRole('heading', { name: 'Sync and storage' })).toBeVisible();
  await check('sync settings');
  const audit = new Audit(page);
  await audit.openChecklists();
  await expect(audit.templates()).toBeVisible();
  await check('checklists');
  await audit.startRun();
  await audit.answer(ITEMS.parties, 'No');
  await check('checklist run');
  await audit.item(ITEMS.parties).getByRole('button', { name: 'Raise a finding' }).click();
  await expect(audit.findingSummary()).toBeVisible();
  await check('finding');
  await audit.correctiveActions().getByRole('button', { name: 'Add corrective action' }).click();
  await expect(page.getByRole('form', { name: 'Add corrective action' })).toBeVisible();
  await check('add corrective action');
  await page.getByRole('form', { name: 'Add corrective action' }).getByRole('button', { name: 'Back' }).click();
  await audit.proposeAction({ title: 'Name every interested party', steps: ['Write the register'], owner: 'tech', due: '2026-12-15' });
  await audit.correctiveActions().getByRole('link', { name: /Name every interested party/ }).click();
  await expect(audit.actionSummary()).toBeVisible();
  await check('corrective action');
  await audit.tapAction('Add step');
  await expect(audit.actionForm('Add step')).toBeVisible();
  await check('corrective action form');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Actions' }).click();
  await expect(page.getByRole('list', { name: 'Corrective actions' })).toBeVisible();
  await check('corrective actions');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Findings' }).click();
  await expect(page.getByRole('list', { name: 'Findings' })).toBeVisible();
  await check('findings');
  // Audits are planned by auditors: their list, the plan form, an audit and its report.
  const auditor = await Fieldbook.open(await browser.newContext({ viewport: page.viewportSize() }), server.url, 'auditor');
  await auditor.expectAllSynced();
  const audits = new Audits(auditor.page);
  await audits.open();
  await check('audits', auditor.page);
  await auditor.page.getByRole('link', { name: 'New audit' }).click();
  await expect(auditor.page.getByRole('form', { name: 'New audit' })).toBeVisible();
  await check('new audit', auditor.page);
  await auditor.page.getByRole('link', { name: '← Audits' }).click();
  await audits.plan({ title: 'Accessibility of audits', auditors: ['Aziz Auditor (auditor2)'] });
  await check('audit', auditor.page);
  await audits.tapAction('Declare independence');
  await check('audit with a form', auditor.page);
  await auditor.page.getByRole('button', { name: 'Back' }).click();
  await audits.openReport();
  await check('audit report', auditor.page);
  // Templates are edited by auditors: the list with its buttons, and a draft with an item open.
  const templates = new Templates(auditor.page);
  await templates.openChecklists();
  await check('checklists (auditor)', auditor.page);
  await templates.edit(ISO_TEMPLATE, 2);
  await templates.section(1).getByRole('button', { name: /^Edit item 1\.2/ }).click();
  await expect(templates.openItem()).toBeVisible();
  await check('template editor', auditor.page);
  // Service levels are set by admins.
  const admin = await Fieldbook.open(await browser.newContext({ viewport: page.viewportSize() }), server.url, 'admin');
  await admin.expectAllSynced();
  await admin.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Service levels' }).click();
  await expect(admin.page.getByLabel('P3 resolution', { exact: true })).toBeVisible();
  await check('service levels', admin.page);
});

test('a damaged record on the device is set aside and fetched again, without touching the others', async ({ page, server }) => {
  const app = new Fieldbook(page);
  await page.goto(server.url);
  await app.expectAllSynced();
  const href = await app.incidentLink('Badge reader at gate 3 rejects cards').getAttribute('href');
  const doc = href!.split('/').pop()!;

  // Overwrite every stored chunk of that one incident with bytes Automerge cannot read.
  await damage(page, doc);

  await page.reload();
  await app.expectAllSynced();
  await app.openIncident('Badge reader at gate 3 rejects cards');
  await expect(page.getByRole('alert').filter({ hasText: 'set aside' }).first()).toBeVisible();
  await app.goToList();
  await app.openIncident('Wi-Fi down in warehouse B');

  // The damaged bytes are still on the device, moved aside, not deleted.
  const kinds = await page.evaluate(async (doc) => {
    const db: IDBDatabase = await new Promise((resolve) => {
      const open = indexedDB.open('fieldbook');
      open.onsuccess = () => resolve(open.result);
    });
    const keys: IDBValidKey[] = await new Promise((resolve) => {
      const req = db.transaction('chunks').objectStore('chunks').getAllKeys(IDBKeyRange.bound([doc], [doc, []]));
      req.onsuccess = () => resolve(req.result);
    });
    db.close();
    return keys.map((k) => (k as string[])[1]);
  }, doc);
  expect(kinds).toContain('set-aside');
  expect(kinds).toContain('incremental');
});

test('a record found damaged while offline is fetched whole at the next connection', async ({ context, page, server }) => {
  const app = new Fieldbook(page);
  await page.goto(server.url);
  await app.expectAllSynced();
  await app.waitForOfflineShell();
  const href = await app.incidentLink('Badge reader at gate 3 rejects cards').getAttribute('href');
  const doc = href!.split('/').pop()!;
  await damage(page, doc);

  // Offline, the damaged record is opened: set aside, and nothing to fetch it from.
  await context.setOffline(true);
  await page.reload();
  await app.incidentLink('Badge reader at gate 3 rejects cards').click();
  await expect(page.getByRole('alert').filter({ hasText: 'set aside' }).first()).toBeVisible();

  // Back online after a reload: the device asks the server for it, and it is whole again.
  await context.setOffline(false);
  await page.goto(server.url);
  await app.expectAllSynced();
  await app.openIncident('Badge reader at gate 3 rejects cards');
  await expect(page.getByLabel('Description')).toHaveValue(/Since the night shift every badge is refused/);
});

/** Overwrites every stored chunk of document `doc` with bytes Automerge cannot read. */
async function damage(page: Page, doc: string) {
  await page.evaluate(async (doc) => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open('fieldbook');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction('chunks', 'readwrite');
    const store = tx.objectStore('chunks');
    const keys: IDBValidKey[] = await new Promise((resolve) => {
      const req = store.getAllKeys(IDBKeyRange.bound([doc], [doc, []]));
      req.onsuccess = () => resolve(req.result);
    });
    for (const key of keys) store.put(new Uint8Array([0x85, 0x6f, 0x4a, 0x83, 9, 9, 9, 9]), key);
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }, doc);
}

/** Signed in and synced, with the app shell cached, then offline on an incident's page. */
async function offlineOnAnIncident(context: BrowserContext, url: string): Promise<Fieldbook> {
  const app = await Fieldbook.open(context, url);
  await app.expectAllSynced();
  await app.waitForOfflineShell();
  await app.openIncident('Wi-Fi down in warehouse B');
  await context.setOffline(true);
  return app;
}

test('a full device says so, keeps everything saved before, and saves again once there is room', async ({ context, server }) => {
  test.setTimeout(120_000);
  const app = await offlineOnAnIncident(context, server.url);
  const page = app.page;
  await app.editIncident({ title: 'Wi-Fi down, access point replaced' });
  await app.editIncident({ description: 'Replaced the access point by the loading dock.' });
  await app.expectOffline(2);

  // A database of the test's own, to see when the browser starts refusing writes.
  const probe = () =>
    page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const open = indexedDB.open('quota-probe', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('probe');
          open.onerror = () => resolve(`open failed: ${open.error?.name}`);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction('probe', 'readwrite');
            tx.objectStore('probe').put(new Uint8Array(64), Date.now());
            tx.oncomplete = () => (db.close(), resolve('written'));
            tx.onabort = () => (db.close(), resolve(tx.error?.name ?? 'aborted'));
          };
        }),
    );
  expect(await probe()).toBe('written');

  // The device fills up: the origin's quota drops below what it already uses. (The DevTools
  // session is a page of its own: one attached to the app's page upsets its offline emulation.)
  const origin = new URL(server.url).origin;
  const devtools = await context.newPage();
  const cdp = await context.newCDPSession(devtools);
  const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
  expect(usage).toBeGreaterThan(0);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: Math.floor(usage / 2) });
  // Chromium's IndexedDB keeps the space it last learnt was left for up to 30 s
  // (BucketContext::kBucketSpaceCacheTimeLimit) and lets small writes through until then.
  // Once one write is refused, every write asks the quota again.
  await expect.poll(probe, { timeout: 45_000, intervals: [1_000] }).toBe('QuotaExceededError');

  await page.getByLabel('Description').fill('Replaced the access point and tested the cable run.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: "This device's storage is full, so the last change was not saved" }).first(),
  ).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Saved on this device' })).toHaveCount(0);
  // What the person typed is still in the form, and the count of changes did not move.
  await expect(page.getByLabel('Description')).toHaveValue('Replaced the access point and tested the cable run.');
  await app.expectOffline(2);

  // Space is freed. After a reload the two saved edits are there and the refused one is not.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await devtools.close();
  await page.reload();
  await expect(page.getByLabel('Title')).toHaveValue('Wi-Fi down, access point replaced');
  await expect(page.getByLabel('Description')).toHaveValue('Replaced the access point by the loading dock.');
  await app.expectOffline(2);

  // Trying again now saves it, and all three reach the server.
  await app.editIncident({ description: 'Replaced the access point and tested the cable run.' });
  await app.expectOffline(3);
  await context.setOffline(false);
  await app.expectAllSynced();
  const fresh = await Fieldbook.open(await context.browser()!.newContext(), server.url);
  await fresh.openIncident('Wi-Fi down, access point replaced');
  await expect(fresh.page.getByLabel('Description')).toHaveValue('Replaced the access point and tested the cable run.');
});

test('when the browser closes the storage under the app, it says so and reopens it without losing anything', async ({ context, server }) => {
  const app = await offlineOnAnIncident(context, server.url);
  const page = app.page;
  await app.editIncident({ title: 'Wi-Fi down, access point replaced' });

  // The browser closes every connection to the origin's IndexedDB, as it does when its
  // storage fails or is cleared: here through "Force close" in chrome://indexeddb-internals,
  // which closes without deleting.
  const internals = await context.newPage();
  await internals.goto('chrome://indexeddb-internals');
  await expect(internals.getByText(`Storage key: ${server.url}/`)).toBeVisible();
  await expect(internals.getByText('Open connections: 2')).toBeVisible();
  await internals.getByText('Force close', { exact: true }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: "The browser closed this device's storage and Fieldbook reopened it" }),
  ).toBeVisible();
  await internals.reload();
  await expect(internals.getByText('Open connections: 2')).toBeVisible();
  await internals.close();

  // The next edit is saved through the reopened storage, and the earlier one is still there.
  await app.editIncident({ description: 'Replaced the access point by the loading dock.' });
  await app.expectOffline(2);
  await page.reload();
  await expect(page.getByLabel('Title')).toHaveValue('Wi-Fi down, access point replaced');
  await expect(page.getByLabel('Description')).toHaveValue('Replaced the access point by the loading dock.');
  await app.expectOffline(2);
  await context.setOffline(false);
  await app.expectAllSynced();
});
