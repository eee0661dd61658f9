// The walking skeleton: an incident travels from one offline tablet to another
// through the sync server. Steps refer to the list.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';

test.use({ serverOptions: { demo: true } });

test('a technician creates, lists, opens and edits an incident @phone', async ({ page, server }) => {
  await page.goto(server.url);
  const app = new Fieldbook(page);
  await expect(page.getByRole('heading', { name: 'Incidents' })).toBeVisible();
  // Step 7: the strip says where things stand.
  await app.expectAllSynced();
  // The demo data arrived through sync.
  await expect(app.incidentLink('Wi-Fi down in warehouse B')).toBeVisible();

  // Step 2: priority comes from the impact x urgency matrix.
  await page.getByRole('link', { name: 'New incident' }).click();
  await page.getByLabel('Impact').selectOption('1');
  await page.getByLabel('Urgency').selectOption('2');
  await expect(page.getByLabel('Priority')).toHaveText('P1');
  await page.getByLabel('Urgency').selectOption('4');
  await expect(page.getByLabel('Priority')).toHaveText('P3');
  await page.getByRole('link', { name: 'Cancel' }).click();

  await app.createIncident({ title: 'Scanner will not pair', description: 'Handheld 7 at dock 2', impact: 2, urgency: 2 });
  await app.goToList();
  await expect(app.incidentLink('Scanner will not pair')).toContainText('P2');
  await app.openIncident('Scanner will not pair');
  await expect(page.getByLabel('Description')).toHaveValue('Handheld 7 at dock 2');
  await app.editIncident({ title: 'Scanner will not pair with base', urgency: 1 });
  await expect(page.getByRole('heading', { name: 'Scanner will not pair with base' })).toBeVisible();
  await app.expectAllSynced();

  // The edit is on the device: a reload shows it.
  await page.reload();
  await expect(page.getByLabel('Title')).toHaveValue('Scanner will not pair with base');
  await expect(page.getByLabel('Priority')).toHaveText('P1');
});

test('offline, the app starts from its cache and keeps working; changes sync when back @phone', async ({ context, server }) => {
  const app = await Fieldbook.open(context, server.url);
  await app.expectAllSynced();
  await app.waitForOfflineShell();

  // Step 3: no network, reload: the shell comes from the service worker and the
  // records from IndexedDB.
  await context.setOffline(true);
  await app.page.reload();
  await expect(app.page.getByRole('heading', { name: 'Incidents' })).toBeVisible();
  await expect(app.incidentLink('Wi-Fi down in warehouse B')).toBeVisible();
  await app.expectOffline(0);

  await app.createIncident({ title: 'Door controller beeping', impact: 3, urgency: 3 });
  // One change to the new incident, one to the site's catalog.
  await app.expectOffline(2);
  await app.editIncident({ title: 'Door controller beeping at gate 4' });
  await app.expectOffline(3);

  // The offline edits survive another offline reload.
  await app.page.reload();
  await expect(app.page.getByLabel('Title')).toHaveValue('Door controller beeping at gate 4');
  await app.expectOffline(3);

  // Back online: everything reaches the server.
  await context.setOffline(false);
  await app.expectAllSynced();
});

test('two devices: edits to different fields made offline both survive', async ({ browser, server }) => {
  const tabletA = await browser.newContext();
  const tabletB = await browser.newContext();
  const a = await Fieldbook.open(tabletA, server.url);
  const b = await Fieldbook.open(tabletB, server.url);
  await a.createIncident({ title: 'Lift 2 stuck between floors', impact: 2, urgency: 2 });
  await a.expectAllSynced();

  // Step 4: the second device sees it after sync.
  await expect(b.incidentLink('Lift 2 stuck between floors')).toBeVisible();
  await b.openIncident('Lift 2 stuck between floors');
  await b.expectAllSynced();

  await tabletA.setOffline(true);
  await tabletB.setOffline(true);
  await a.editIncident({ title: 'Lift 2 stuck at floor 3' });
  await b.editIncident({ impact: 4 });
  await a.expectOffline(1);
  await b.expectOffline(1);

  await tabletA.setOffline(false);
  await tabletB.setOffline(false);
  await a.expectAllSynced();
  await b.expectAllSynced();
  for (const device of [a, b]) {
    await expect(device.page.getByRole('heading', { name: 'Lift 2 stuck at floor 3' })).toBeVisible();
    await expect(device.page.getByLabel('Impact')).toHaveValue('4');
    await expect(device.page.getByRole('group', { name: /has two values/ })).toHaveCount(0);
  }

  // And on the server: a third device that has never seen the incident gets both edits.
  const fresh = await Fieldbook.open(await browser.newContext(), server.url);
  await fresh.openIncident('Lift 2 stuck at floor 3');
  await expect(fresh.page.getByLabel('Impact')).toHaveValue('4');
});

test('two devices: the same field changed offline shows both values until someone picks one', async ({ browser, server }) => {
  const tabletA = await browser.newContext();
  const tabletB = await browser.newContext();
  const a = await Fieldbook.open(tabletA, server.url);
  const b = await Fieldbook.open(tabletB, server.url);
  await a.openIncident('Wi-Fi down in warehouse B');
  await b.openIncident('Wi-Fi down in warehouse B');
  await a.expectAllSynced();
  await b.expectAllSynced();

  await tabletA.setOffline(true);
  await tabletB.setOffline(true);
  await a.editIncident({ title: 'Wi-Fi down in warehouse B, aisle 1-4' });
  await b.editIncident({ title: 'Wi-Fi access point 3 dead' });
  await tabletA.setOffline(false);
  await tabletB.setOffline(false);
  await a.expectAllSynced();
  await b.expectAllSynced();

  // Step 5: both values are shown on both devices, to pick from.
  for (const device of [a, b]) {
    const conflict = device.page.getByRole('group', { name: 'Title has two values' });
    await expect(conflict).toBeVisible();
    await expect(conflict.getByRole('button', { name: 'Keep “Wi-Fi down in warehouse B, aisle 1-4”' })).toBeVisible();
    await expect(conflict.getByRole('button', { name: 'Keep “Wi-Fi access point 3 dead”' })).toBeVisible();
  }
  await b.goToList();
  await expect(b.incidentList().getByText('Needs a choice')).toBeVisible();

  // The pick on one device is an ordinary edit that syncs to the other.
  await a.page.getByRole('button', { name: 'Keep “Wi-Fi access point 3 dead”' }).click();
  await expect(a.page.getByRole('group', { name: 'Title has two values' })).toHaveCount(0);
  await expect(a.page.getByRole('heading', { name: 'Wi-Fi access point 3 dead' })).toBeVisible();
  await expect(b.incidentLink('Wi-Fi access point 3 dead')).toBeVisible();
  await expect(b.incidentList().getByText('Needs a choice')).toHaveCount(0);
});

test('a device back after a while reads from its storage only the records that changed meanwhile', async ({ browser, server }) => {
  const tabletA = await browser.newContext();
  const tabletB = await browser.newContext();
  const a = await Fieldbook.open(tabletA, server.url);
  const b = await Fieldbook.open(tabletB, server.url);
  await a.expectAllSynced();
  const idOf = async (device: Fieldbook, title: string) => {
    await device.openIncident(title);
    const id = new URL(device.page.url()).pathname.split('/').pop()!;
    await device.goToList();
    return id;
  };
  const changed = await idOf(b, 'Wi-Fi down in warehouse B');
  const untouched = await idOf(b, 'Badge reader at gate 3 rejects cards');

  // From the next load on, note every record whose changes tablet A reads from IndexedDB.
  await tabletA.addInitScript(() => {
    const read: string[] = [];
    (window as unknown as { recordsRead: string[] }).recordsRead = read;
    const note = (store: IDBObjectStore, query: unknown) => {
      if (store.name === 'chunks' && query instanceof IDBKeyRange && Array.isArray(query.lower)) read.push(String(query.lower[0]));
    };
    for (const method of ['openCursor', 'getAll', 'getAllKeys'] as const) {
      const original = IDBObjectStore.prototype[method] as (...args: unknown[]) => IDBRequest;
      (IDBObjectStore.prototype as unknown as Record<string, unknown>)[method] = function (this: IDBObjectStore, ...args: unknown[]) {
        note(this, args[0]);
        return original.apply(this, args);
      };
    }
  });
  // Tablet A is put away; tablet B works one incident.
  await a.page.close();
  await b.openIncident('Wi-Fi down in warehouse B');
  await b.editIncident({ title: 'Wi-Fi down in warehouse B, access points replaced' });
  await b.expectAllSynced();

  // Tablet A opens again: it gets the change, and has read only what it needed.
  const back = new Fieldbook(await tabletA.newPage());
  await back.page.goto(server.url);
  await expect(back.incidentLink('Wi-Fi down in warehouse B, access points replaced')).toBeVisible();
  await back.expectAllSynced();
  const recordsRead = () => back.page.evaluate(() => (window as unknown as { recordsRead: string[] }).recordsRead);
  expect(await recordsRead()).toContain(changed);
  expect(await recordsRead()).not.toContain(untouched);

  // A record left on disk opens from it, and an edit to it reaches the other tablet.
  await back.openIncident('Badge reader at gate 3 rejects cards');
  expect(await recordsRead()).toContain(untouched);
  await back.editIncident({ impact: 1 });
  await back.expectAllSynced();
  await b.goToList();
  await b.openIncident('Badge reader at gate 3 rejects cards');
  await expect(b.page.getByLabel('Impact')).toHaveValue('1');
});

for (const how of ['SIGKILL', 'SIGINT'] as const) {
  test(`nothing the server acknowledged is lost when it is stopped with ${how} and restarted`, async ({ browser, server }) => {
    const tablet = await browser.newContext();
    const a = await Fieldbook.open(tablet, server.url);
    for (let i = 1; i <= 3; i++) {
      await a.createIncident({ title: `Acknowledged ${i}`, impact: 3, urgency: 3 });
      await a.goToList();
    }
    // Step 6: once the strip says everything is on the server, the server has it durably.
    await a.expectAllSynced();
    if (how === 'SIGKILL') await server.kill9();
    else await server.stop('SIGINT');
    await expect(a.strip).toContainText(/Connecting|Offline/);
    await server.restart();

    // A device that has never seen these records gets them all from the restarted server.
    const fresh = await Fieldbook.open(await browser.newContext(), server.url);
    for (let i = 1; i <= 3; i++) {
      await expect(fresh.incidentLink(`Acknowledged ${i}`)).toBeVisible();
    }
    // And the first device reconnects by itself.
    await a.expectAllSynced();
  });
}
