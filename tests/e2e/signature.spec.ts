// The customer's signature on a resolved incident, and the history with server times and
// "as at" views: worked offline, confirmed once online, seen on a second device.
import type { Locator } from '@playwright/test';
import { test, expect } from './fixtures';
import { Fieldbook } from './app';
import { blobTypes, naturalSize, png } from './images';

test.use({ serverOptions: { demo: true } });

const TITLE = 'Card reader at till 4 is dead';
const RETITLED = 'Card reader at till 4 replaced';
const SIGNER = 'Ana Ruiz';

test('a customer signs a resolution offline; a second device sees it, later edits show as changed after signing, the history has server times and "as at" @phone', async ({ context, browser, server }, testInfo) => {
  const shot = (app: Fieldbook, name: string) =>
    app.page.screenshot({ path: testInfo.outputPath(`${name}-${testInfo.project.name}.png`), fullPage: true });
  // One part of the page as a person sees it: in the middle of the screen, below the sticky bar.
  const look = async (part: Locator, name: string) => {
    await part.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await part.page().screenshot({ path: testInfo.outputPath(`${name}-${testInfo.project.name}.png`) });
  };
  const app = await Fieldbook.open(context, server.url);
  await app.expectAllSynced();
  await app.waitForOfflineShell();
  await app.createIncident({ title: TITLE, impact: 3, urgency: 3 });
  await app.expectAllSynced();
  await expect(app.signatures()).toHaveCount(0);

  // 1. Offline at the till: worked to Resolved, with a photo.
  await context.setOffline(true);
  await app.expectOffline(0);
  await app.assign('Field service');
  await app.tapAction('Start work');
  await app.addPhoto(png(320, 240), 'Reader with the cover off');
  await app.resolve('Replaced hardware', 'Swapped the card reader for a spare.');

  // 2. The pad appears on the resolved incident. Nothing drawn, or no name: refused in words.
  await expect(app.signaturePad()).toBeVisible();
  await app.signatures().getByRole('button', { name: 'Save signature' }).click();
  await expect(app.signatures().getByRole('alert')).toHaveText('Ask the customer to sign in the box first.');
  await app.drawSignature();
  await app.signatures().getByRole('button', { name: 'Save signature' }).click();
  await expect(app.signatures().getByRole('alert')).toHaveText('Write the name of the person signing.');
  await app.signatures().getByRole('button', { name: 'Clear' }).click();
  await app.drawSignature();
  await app.signatures().getByLabel('Name of the person signing').fill(SIGNER);
  await shot(app, 'signature-pad');
  await look(app.signaturePad(), 'signature-pad-view');
  await app.signatures().getByRole('button', { name: 'Save signature' }).click();
  await expect(app.signatures().getByRole('status')).toHaveText('Signature saved on this device');

  // 3. Signed, offline: the picture, who and when, nothing changed since, not on the server yet.
  const signed = app.signatureImage(SIGNER);
  await expect(signed).toBeVisible();
  expect(await naturalSize(signed)).toEqual([1000, 500]);
  await expect(app.signatures()).toContainText(`Signed by ${SIGNER}`);
  await expect(app.signatures()).toContainText('This device');
  await expect(app.signatures()).toContainText('No changes since signing.');
  await expect(app.signatures()).toContainText('not yet on the server');
  await expect(app.signaturePad()).toHaveCount(0);
  const history = await app.openHistory();
  await expect(history.getByRole('listitem').first()).toContainText('Customer signed');
  await expect(history.getByRole('listitem').first()).toContainText('not yet on the server');
  // Only what reached the server before going offline (logged, and its reference) has a server time.
  await expect(history.getByText(/^Server time: /)).toHaveCount(2);
  await expect(history.getByRole('listitem').filter({ hasText: 'Logged the incident' })).toContainText(/Server time: /);
  await app.expectOffline(5);
  await shot(app, 'signature-offline');

  // 4. Online: everything reaches the server, the picture as a PNG; the history gets server times.
  await context.setOffline(false);
  await app.expectAllSynced();
  await expect(app.signatures().getByText('not yet on the server')).toHaveCount(0);
  const pngs = Object.entries(await blobTypes(app)).filter(([, type]) => type === 'image/png');
  expect(pngs).toHaveLength(1);
  const onServer = await context.request.get(`${server.url}/api/blobs/${pngs[0][0]}`);
  expect(onServer.status()).toBe(200);
  expect(onServer.headers()['content-type']).toBe('image/png');
  const rows = history.getByRole('listitem');
  const count = await rows.count();
  expect(count).toBeGreaterThanOrEqual(7);
  await expect(history.getByText(/^Server time: /)).toHaveCount(count);
  await expect(history.getByText('not yet on the server')).toHaveCount(0);
  await expect(rows.filter({ hasText: 'Customer signed' })).toContainText('Tess Technician · This device');
  await expect(rows.filter({ hasText: 'Logged the incident' })).toContainText('Tess Technician');
  await shot(app, 'history');
  await look(history, 'history-view');

  // 5. A second technician's tablet sees the signature, fetched on demand.
  const tablet = await browser.newContext();
  const b = await Fieldbook.open(tablet, server.url, 'tech2');
  await b.openIncident(TITLE);
  await expect(b.signatureImage(SIGNER)).toBeVisible();
  expect(await naturalSize(b.signatureImage(SIGNER))).toEqual([1000, 500]);
  await expect(b.signatures()).toContainText(`Signed by ${SIGNER}`);
  await expect(b.signatures()).toContainText('No changes since signing.');

  // 6. An edit after signing shows as changed after signing, on both devices.
  await b.editIncident({ title: RETITLED });
  for (const device of [b, app]) {
    const after = device.signatures().getByRole('group', { name: 'Changed after signing' });
    await expect(after).toContainText(`Title was “${TITLE}”, is now “${RETITLED}”`);
    await expect(device.signatures()).not.toContainText('No changes since signing.');
  }
  await shot(app, 'changed-after-signing');
  await look(app.signatures(), 'changed-after-signing-view');

  // 7. "As at" the first change: the record as logged, with its first title; then back.
  const theirs = await b.openHistory();
  await expect(theirs.getByRole('listitem').first()).toContainText('Changed the title');
  await expect(theirs.getByRole('listitem').first()).toContainText('Theo Technician');
  await expect(theirs.getByRole('listitem').first()).toContainText(/Server time: /);
  await theirs.getByRole('listitem').filter({ hasText: 'Logged the incident' }).getByRole('link', { name: 'As at' }).click();
  await expect(b.page.getByRole('status').filter({ hasText: /^As at / })).toContainText('after “Logged the incident”');
  await expect(b.page.getByRole('heading', { level: 1 })).toHaveText(TITLE);
  await expect(b.incidentSummary()).toContainText('New');
  await expect(b.page.getByRole('list', { name: 'Events as at then, newest first' })).not.toContainText('Resolved');
  await expect(b.page.getByLabel('Title')).toHaveCount(0);
  await shot(b, 'as-at');
  await b.page.getByRole('link', { name: '← Back to the current record' }).click();
  await expect(b.page.getByRole('heading', { level: 1 })).toHaveText(RETITLED);
  await expect(b.page.getByLabel('Title')).toHaveValue(RETITLED);

  // 8. As at the signature: the signed title, before the edit.
  await history.getByRole('listitem').filter({ hasText: 'Customer signed' }).getByRole('link', { name: 'As at' }).click();
  await expect(app.page.getByRole('heading', { level: 1 })).toHaveText(TITLE);
  await expect(app.incidentSummary()).toContainText('Resolved');
  await expect(app.page.getByLabel('Fields as at then')).toContainText(SIGNER);
});
