// Photos as evidence: taken offline, kept on the device, uploaded once online, and
// fetched on demand by another device. Also: a tab makes way for a newer storage version.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';
import { png } from './png';

test.use({ serverOptions: { demo: true } });

const TITLE = 'Cracked cabinet door at bay 7';
const CAPTION = 'Hinge snapped off the frame';

test('a technician adds a photo offline; it stays on the device and reaches a second device after sync @phone', async ({ context, browser, server }, testInfo) => {
  const app = await Fieldbook.open(context, server.url);
  await app.expectAllSynced();
  await app.waitForOfflineShell();
  await app.createIncident({ title: TITLE });
  await app.expectAllSynced();
  await expect(app.page.getByText('No photos yet.')).toBeVisible();

  // 1. Offline at the cabinet: a photo from the camera, larger than the app keeps.
  await context.setOffline(true);
  await app.expectOffline(0);
  await app.addPhoto(png(2400, 1200), CAPTION);
  const photo = app.photo(CAPTION);
  await expect(photo).toBeVisible();
  // Shrunk to 1600 px on the long side, as JPEG.
  expect(await naturalSize(photo)).toEqual([1600, 800]);
  await expect(app.photoStrip()).toContainText('not yet on the server');
  await app.expectOffline(1);
  await app.page.screenshot({ path: testInfo.outputPath(`photos-${testInfo.project.name}.png`), fullPage: true });

  // 2. The photo survives an offline reload.
  await app.page.reload();
  await expect(app.page.getByRole('heading', { name: TITLE })).toBeVisible();
  await expect(photo).toBeVisible();
  expect(await naturalSize(photo)).toEqual([1600, 800]);
  await expect(app.photoStrip()).toContainText('not yet on the server');

  // 3. Online: the attachment syncs and the photo is uploaded.
  await context.setOffline(false);
  await app.expectAllSynced();
  await expect(app.photoStrip().getByText('not yet on the server')).toHaveCount(0);
  const [hash] = await blobKeys(app);
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  const onServer = await context.request.get(`${server.url}/api/blobs/${hash}`);
  expect(onServer.status()).toBe(200);
  expect(onServer.headers()['content-type']).toBe('image/jpeg');

  // 4. A second technician's tablet gets the incident; it goes offline before opening it,
  //    so the photo is not on that device yet and says so.
  const tablet = await browser.newContext();
  const b = await Fieldbook.open(tablet, server.url, 'tech2');
  await expect(b.incidentLink(TITLE)).toBeVisible();
  await b.expectAllSynced();
  await tablet.setOffline(true);
  await b.openIncident(TITLE);
  await expect(b.photoStrip().getByRole('img', { name: 'Photo not on this device yet' })).toBeVisible();
  await expect(b.photoStrip()).toContainText(CAPTION);
  await b.page.screenshot({ path: testInfo.outputPath(`photos-missing-${testInfo.project.name}.png`), fullPage: true });

  // 5. Online again: the tablet fetches the photo on demand and keeps it.
  await tablet.setOffline(false);
  await expect(b.photo(CAPTION)).toBeVisible();
  expect(await naturalSize(b.photo(CAPTION))).toEqual([1600, 800]);
  expect(await blobKeys(b)).toEqual([hash]);
  await tablet.setOffline(true);
  await b.page.reload();
  await expect(b.photo(CAPTION)).toBeVisible();
});

test.describe('on a server that takes photos of at most 100 bytes', () => {
  test.use({ serverOptions: { demo: true, args: ['--max-blob-bytes', '100'] } });

  test('a photo the server refuses stays queued on the device and says so', async ({ server, context }) => {
    const app = await Fieldbook.open(context, server.url);
    await app.expectAllSynced();
    await app.createIncident({ title: 'Oil on the floor at dock 2' });
    await app.addPhoto(png(64, 48), '');
    await expect(app.photo('Photo')).toBeVisible();
    // The record syncs; the photo is refused (413), so it stays queued and tagged.
    await app.expectAllSynced();
    await expect(app.photoStrip()).toContainText('not yet on the server');
    const [hash] = await blobKeys(app);
    expect((await context.request.get(`${server.url}/api/blobs/${hash}`)).status()).toBe(404);
  });
});

test('an open tab closes its storage for a newer version and asks to reload', async ({ context, server }) => {
  const app = await Fieldbook.open(context, server.url);
  await app.expectAllSynced();
  // Another tab of the same origin opens the database at a newer version.
  const other = await context.newPage();
  await other.goto(`${server.url}/healthz`);
  const opened = await other.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const request = indexedDB.open('fieldbook', 1000);
        request.onsuccess = () => {
          request.result.close();
          resolve('opened');
        };
        request.onerror = () => resolve(`failed: ${request.error?.name}`);
        request.onblocked = () => resolve('blocked');
      }),
  );
  expect(opened).toBe('opened');
  const alert = app.page.getByRole('alert').filter({ hasText: 'Fieldbook was updated in another tab' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('reload to continue');
  await expect(alert.getByRole('button', { name: 'Reload' })).toBeVisible();
});

/** Width and height of the picture an <img> shows. */
async function naturalSize(img: ReturnType<Fieldbook['photo']>): Promise<[number, number]> {
  await expect.poll(() => img.evaluate((e: HTMLImageElement) => e.complete && e.naturalWidth > 0)).toBe(true);
  return img.evaluate((e: HTMLImageElement) => [e.naturalWidth, e.naturalHeight] as [number, number]);
}

/** The keys (SHA-256) of the photos in the device's IndexedDB. */
async function blobKeys(app: Fieldbook): Promise<string[]> {
  return app.page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const request = indexedDB.open('fieldbook');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const keys = db.transaction('blobs').objectStore('blobs').getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result as string[]);
          };
          keys.onerror = () => reject(keys.error);
        };
      }),
  );
}
