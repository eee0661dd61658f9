// A site with more records than the server takes from one connection at once: the device offers
// them paced (core::sync::pacing), so it gets them all instead of being disconnected and starting
// over; coming back, it offers them again by their heads and is up to date.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';

const INCIDENTS = 2500;
test.use({
  serverOptions: {
    demo: true,
    // Below the number of records, as the server's defaults are below a large site's.
    args: ['--demo-incidents', String(INCIDENTS), '--message-burst', '2000', '--messages-per-second', '1000'],
    startTimeoutMs: 240_000,
  },
});

test('a device with more records than the server takes at once gets them all, and comes back up to date', async ({ browser, server }) => {
  test.setTimeout(900_000);
  const tablet = await browser.newContext();
  const app = await Fieldbook.open(tablet, server.url);
  const upToDate = async () => {
    await expect(app.strip).toContainText('Up to date', { timeout: 400_000 });
    await expect(app.strip).toContainText('All changes are on the server');
  };
  await expect(app.page.getByText(`${INCIDENTS} incidents`)).toBeVisible({ timeout: 400_000 });
  await upToDate();
  const slowDown = /messages per second .* slow down/;
  expect(server.log()).not.toMatch(slowDown);

  // Another device changes the last-listed incident while this tablet is closed.
  await app.page.close();
  const other = await Fieldbook.open(await browser.newContext(), server.url, 'tech2');
  await other.page.getByRole('searchbox', { name: 'Search incidents' }).fill(`(${INCIDENTS - 1})`);
  await other.incidentList().getByRole('link').first().click();
  await other.editIncident({ title: 'Door sensor replaced, closing' });

  const back = new Fieldbook(await tablet.newPage());
  await back.page.goto(server.url);
  await expect(back.strip).toContainText('Up to date', { timeout: 400_000 });
  await expect(back.strip).toContainText('All changes are on the server');
  await back.page.getByRole('searchbox', { name: 'Search incidents' }).fill('Door sensor replaced');
  await expect(back.incidentLink('Door sensor replaced, closing')).toBeVisible();
  expect(server.log()).not.toMatch(slowDown);
});
