// The incident list a technician or manager searches and filters: words, priority, SLA state,
// assignee, and an order by SLA urgency, all from what is on the device.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';

test.use({ serverOptions: { demo: true } });

test('the list finds incidents by words, priority, SLA state and assignee, most urgent first @phone', async ({ page, server }, testInfo) => {
  const app = new Fieldbook(page);
  await page.goto(server.url);
  await app.expectAllSynced();
  const cards = app.incidentList().getByRole('listitem');
  await expect(cards).toHaveCount(3);
  // The P1's resolution clock has the least time left.
  await expect(cards.first()).toContainText('Wi-Fi down in warehouse B');
  await expect(cards.first()).toContainText('left');

  // Words in any case, all of them, in the title or the reference.
  const search = page.getByRole('searchbox', { name: 'Search incidents' });
  await search.fill('BADGE gate');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Badge reader at gate 3 rejects cards');
  await expect(page.getByText('1 of 3 incidents')).toBeVisible();
  await search.fill('INC-000003');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Label printer offline at packing station 5');
  await search.fill('badge printer');
  await expect(page.getByText('No incident matches. Clear the search or a filter.')).toBeVisible();
  await search.fill('');
  await expect(cards).toHaveCount(3);

  await page.getByLabel('Priority').selectOption('P4');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Label printer offline at packing station 5');
  await page.getByLabel('Priority').selectOption('');

  // Put the badge reader on hold: its clock pauses, and the SLA filter and the order follow.
  await app.openIncident('Badge reader at gate 3 rejects cards');
  await app.assign('Access control', 'Sam Okafor');
  await app.tapAction('Start work');
  await app.hold('Awaiting vendor');
  await app.goToList();
  await page.getByLabel('SLA').selectOption('paused');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Badge reader at gate 3 rejects cards');
  await expect(cards.first()).toContainText('SLA paused');
  await page.getByLabel('SLA').selectOption('');
  await expect(cards.last()).toContainText('Badge reader at gate 3 rejects cards');

  await page.getByLabel('Assignee').selectOption('Sam Okafor');
  await expect(cards).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('incident-list.png'), fullPage: true });
});
