// Direction B: OUR browser app (the built wasm bundle, unchanged) syncing through the JavaScript
// automerge-repo 2.5 sync server in js-sync-server.mjs instead of our Rust server. The app reads
// its profile and site catalog from that server's /api/me, and speaks automerge-repo v1 on /sync.
import { test, expect } from './fixtures';
import { Fieldbook } from '../e2e/app';

/** The document id in the page's URL (/incidents/<id>). */
function documentIdOf(url: string): string {
  const id = new URL(url).pathname.split('/').filter(Boolean).pop();
  if (!id) throw new Error(`no document id in ${url}`);
  return id;
}

test('two devices create, see and edit an incident through the JS automerge-repo server', async ({ browser, jsServer }) => {
  const tabletA = await browser.newContext();
  const tabletB = await browser.newContext();
  const a = await Fieldbook.open(tabletA, jsServer.url, null);
  const b = await Fieldbook.open(tabletB, jsServer.url, null);
  // The catalog the JS server created reached both devices, and they have nothing to send.
  await a.expectAllSynced();
  await b.expectAllSynced();

  await a.createIncident({
    title: 'Conveyor 4 stops every ten minutes',
    description: 'Belt sensor at the merge point trips',
    impact: 2,
    urgency: 2,
  });
  const id = documentIdOf(a.page.url());
  // Acknowledged by the JS server: it advertised heads that include the device's changes.
  await a.expectAllSynced();

  // The JS side reads what the Rust core wrote, and the catalog lists the new record.
  await expect.poll(async () => (await jsServer.doc(id))?.title).toBe('Conveyor 4 stops every ten minutes');
  const incident = await jsServer.doc(id);
  expect(incident).toMatchObject({ kind: 'incident', site: 'js-site', impact: 2, urgency: 2 });
  expect(incident?.description).toBe('Belt sensor at the merge point trips');
  // The core writes `schema` as an unsigned int, which Automerge's JS API hands out as a BigInt
  // (the server's JSON marks those as { bigint }); an int would be a plain JS number. Either is 1.
  expect([1, { bigint: '1' }]).toContainEqual(incident?.schema);
  await expect
    .poll(async () => (await jsServer.doc(jsServer.catalogId))?.records)
    .toMatchObject({ [id]: { kind: 'incident' } });

  // Device B sees it in the list, opens it and edits it.
  await expect(b.incidentLink('Conveyor 4 stops every ten minutes')).toContainText('P2');
  await b.openIncident('Conveyor 4 stops every ten minutes');
  await expect(b.page.getByLabel('Description')).toHaveValue('Belt sensor at the merge point trips');
  await b.editIncident({ title: 'Conveyor 4 stops every few minutes', urgency: 1 });
  await b.expectAllSynced();

  // Device A, still on the incident, sees B's edit arrive.
  await expect(a.page.getByRole('heading', { name: 'Conveyor 4 stops every few minutes' })).toBeVisible();
  await expect(a.page.getByLabel('Urgency')).toHaveValue('1');
  await expect(a.page.getByLabel('Priority')).toHaveText('P1');
  await a.expectAllSynced();

  // A third device that has never seen the incident gets it, with the edit, from the JS server.
  const fresh = await Fieldbook.open(await browser.newContext(), jsServer.url, null);
  await expect(fresh.incidentLink('Conveyor 4 stops every few minutes')).toContainText('P1');
});

test('after the JS server restarts, a new device finds the records through the catalog', async ({ browser, jsServer }) => {
  const tabletA = await browser.newContext();
  const a = await Fieldbook.open(tabletA, jsServer.url, null);
  await a.createIncident({ title: 'Freezer 3 alarm', impact: 2, urgency: 1 });
  await a.goToList();
  await a.createIncident({ title: 'Freezer 5 alarm', impact: 3, urgency: 3 });
  await a.expectAllSynced();

  // Device A goes offline, so it cannot offer its records again. Restarted, the JS server has only
  // the catalog in memory and announces nothing else: a new device sees the records only if it
  // reads the catalog (written by JS) and asks the server for each entry, which the server then
  // loads from its storage.
  await tabletA.setOffline(true);
  await a.expectOffline(0);
  await jsServer.restart();
  const fresh = await Fieldbook.open(await browser.newContext(), jsServer.url, null);
  await expect(fresh.incidentLink('Freezer 3 alarm')).toContainText('P1');
  await expect(fresh.incidentLink('Freezer 5 alarm')).toContainText('P3');
  await fresh.expectAllSynced();

  // Device A (still on the incident it created last) comes back, and its next edit reaches the
  // new device.
  await tabletA.setOffline(false);
  await a.expectAllSynced();
  await a.editIncident({ title: 'Freezer 5 alarm (door ajar)' });
  await expect(fresh.incidentLink('Freezer 5 alarm (door ajar)')).toBeVisible();
});

test('edits made offline on two devices merge through the JS automerge-repo server', async ({ browser, jsServer }) => {
  const tabletA = await browser.newContext();
  const tabletB = await browser.newContext();
  const a = await Fieldbook.open(tabletA, jsServer.url, null);
  const b = await Fieldbook.open(tabletB, jsServer.url, null);
  await a.createIncident({ title: 'Dock door 2 will not close', impact: 3, urgency: 3 });
  await a.expectAllSynced();
  await b.openIncident('Dock door 2 will not close');
  await b.expectAllSynced();

  await tabletA.setOffline(true);
  await tabletB.setOffline(true);
  await a.editIncident({ title: 'Dock door 2 stuck half open' });
  await b.editIncident({ impact: 1 });
  await a.expectOffline(1);
  await b.expectOffline(1);

  // Back online: each device reconnects to the JS server (same peer id, new socket) and both
  // edits reach both devices.
  await tabletA.setOffline(false);
  await tabletB.setOffline(false);
  await a.expectAllSynced();
  await b.expectAllSynced();
  for (const device of [a, b]) {
    await expect(device.page.getByRole('heading', { name: 'Dock door 2 stuck half open' })).toBeVisible();
    await expect(device.page.getByLabel('Impact')).toHaveValue('1');
  }
});
