// Signing in: a new device is sent to the sign-in page; a device whose session ended keeps
// everything it holds, says so, and syncs again once its person signs in.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';

test.use({ serverOptions: { demo: true } });

test('a new device asks for a sign-in, refuses a wrong password, then gets the site @phone', async ({ browser, server }, testInfo) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const app = new Fieldbook(page);
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('sign-in.png'), fullPage: true });

  await page.getByLabel('Login').fill('tech');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The login or password is wrong.');

  // Someone guessing at another login is stopped after five wrong passwords.
  await page.getByLabel('Login').fill('tech2');
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel('Password').fill(`guess ${attempt}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The login or password is wrong.');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  }
  await page.getByLabel('Password').fill('fieldbook-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Too many wrong passwords for this login; wait 5 minutes, then try again.');

  await app.signIn('tech');
  await expect(app.incidentLink('Wi-Fi down in warehouse B')).toBeVisible();
  // The server gave the demo incidents their references.
  await expect(app.incidentList()).toContainText('INC-000001');
  await app.expectAllSynced();
  await page.getByRole('link', { name: 'Sync details' }).click();
  await expect(page.getByText('Tess Technician (technician)')).toBeVisible();
});

test.describe('a session that ends', () => {
  test.use({ serverOptions: { demo: true, args: ['--session-ttl', '3s'] } });

  test('keeps what is on the device, says so, and syncs after signing in again @phone', async ({ context, page, server, browser }) => {
    const app = new Fieldbook(page);
    await page.goto(server.url);
    await app.expectAllSynced();
    await app.waitForOfflineShell();

    // Offline, a change is saved on the device while the session runs out.
    await context.setOffline(true);
    await app.createIncident({ title: 'Made while the session ran out' });
    await app.goToList();
    await app.expectOffline(2); // the incident and its site's catalog entry
    await page.waitForTimeout(3_500); // the session's lifetime passes (the fault this test injects)

    await context.setOffline(false);
    const notice = page.getByRole('region', { name: 'Session ended' });
    await expect(notice).toContainText('Your session has ended');
    await expect(app.incidentLink('Made while the session ran out')).toBeVisible();
    await expect(app.strip).toContainText('2 changes not yet on the server');

    await notice.getByRole('link', { name: 'Sign in again' }).click();
    await app.signIn('tech');
    await app.expectAllSynced();

    const fresh = await Fieldbook.open(await browser.newContext(), server.url, 'manager');
    await expect(fresh.incidentLink('Made while the session ran out')).toBeVisible();
  });
});

test.describe('a session that ends while the device is connected', () => {
  test.use({ serverOptions: { demo: true, args: ['--session-ttl', '4s', '--credential-check-interval', '500ms'] } });

  test('the open connection is closed and the device says so, keeping its work @phone', async ({ page, server }) => {
    const app = new Fieldbook(page);
    await page.goto(server.url);
    await app.expectAllSynced();

    // Online the whole time: the server ends the sync connection when the session runs out.
    const notice = page.getByRole('region', { name: 'Session ended' });
    await expect(notice).toContainText('Your session has ended', { timeout: 15_000 });
    await app.createIncident({ title: 'Made after the session ran out' });
    await app.goToList();
    await expect(app.strip).toContainText('2 changes not yet on the server');

    await notice.getByRole('link', { name: 'Sign in again' }).click();
    await app.signIn('tech');
    await app.expectAllSynced();
    await expect(app.incidentLink('Made after the session ran out')).toBeVisible();
  });
});
