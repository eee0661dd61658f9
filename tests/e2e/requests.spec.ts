// Service requests (ISO/IEC 20000-1 8.6.2): a technician logs one offline that
// needs a manager's approval; nobody can work it until the manager approves it
// on their phone; a refusal ends a request with the manager's reason.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';

test.use({ serverOptions: { demo: true } });

async function logRequest(app: Fieldbook, title: string) {
  await app.page.getByRole('link', { name: 'New request' }).click();
  await expect(app.page.getByRole('heading', { name: 'New service request' })).toBeVisible();
  await expect(app.page.getByRole('radio', { name: 'Service request' })).toBeChecked();
  await expect(app.page.getByRole('checkbox', { name: /Needs a manager’s approval/ })).toBeChecked();
  await app.page.getByLabel('Title').fill(title);
  await app.page.getByRole('button', { name: 'Save request' }).click();
  await expect(app.page.getByText('Saved on this device')).toBeVisible();
  await expect(app.page.getByRole('heading', { name: title })).toBeVisible();
}

test('a request logged offline waits for a manager, who approves it on a phone; then it is worked @phone', async ({ browser, server }) => {
  const tech = await Fieldbook.open(await browser.newContext(), server.url, 'tech');
  await tech.expectAllSynced();
  await tech.page.context().setOffline(true);
  await logRequest(tech, 'New laptop for the night shift lead');
  const summary = tech.incidentSummary();
  await expect(tech.page.getByRole('region', { name: 'Service request summary' })).toBeVisible();
  await expect(summary).toContainText('Awaiting approval');
  await expect(summary).toContainText('Waiting for a manager’s approval before work starts');
  // A technician is offered neither approval nor work on it yet.
  const actions = tech.nextActions();
  await expect(actions.getByRole('button', { name: 'Cancel request' })).toBeVisible();
  await expect(actions.getByRole('button', { name: 'Approve request' })).toHaveCount(0);
  await expect(actions.getByRole('button', { name: 'Assign', exact: true })).toHaveCount(0);
  // The SLA clocks wait with it.
  await expect(tech.slaClock('Resolution')).toContainText('Paused');
  await expect(tech.slaClock('Resolution')).toContainText('stopped until a manager approves');

  await tech.page.context().setOffline(false);
  await tech.expectAllSynced();
  await expect(summary).toContainText('REQ-000001');

  // The manager finds it among incidents and requests, by type.
  const manager = await Fieldbook.open(await browser.newContext(), server.url, 'manager');
  await manager.expectAllSynced();
  await manager.page.getByLabel('Type').selectOption({ label: 'Service requests' });
  await expect(manager.page.getByText('1 of 4 incidents and requests')).toBeVisible();
  await manager.incidentLink('New laptop for the night shift lead').click();
  const theirs = manager.page.getByRole('region', { name: 'Service request summary' });
  await expect(theirs).toContainText('Service request · REQ-000001');
  await manager.tapAction('Approve request');
  await expect(theirs).toContainText('Approved by Mia Manager');
  await expect(theirs).toContainText('New');
  await manager.expectAllSynced();

  // Back on the tablet: approved, and work can start.
  await expect(summary).toContainText('Approved by Mia Manager');
  await tech.assign('Desktop support', 'Sam Okafor');
  await tech.tapAction('Start work');
  await expect(summary).toContainText('In progress');
  await expect(tech.slaClock('Resolution')).toContainText('Running');
  const history = await tech.openHistory();
  await expect(history).toContainText('Approved the request');
});

test('a manager refuses a request with a reason; the technician sees why and it is not worked', async ({ browser, server }) => {
  const tech = await Fieldbook.open(await browser.newContext(), server.url, 'tech');
  await logRequest(tech, 'Second monitor for the stores office');
  await tech.expectAllSynced();

  const manager = await Fieldbook.open(await browser.newContext(), server.url, 'manager');
  await manager.expectAllSynced();
  await manager.incidentLink('Second monitor for the stores office').click();
  await manager.tapAction('Refuse request');
  const form = manager.actionForm('Refuse request');
  await form.getByRole('button', { name: 'Refuse request' }).click();
  await expect(form.getByRole('alert')).toHaveText('Refuse needs a reason.');
  await form.getByLabel('Reason').fill('Stores moves to the new building in March; order with the fit-out.');
  await form.getByRole('button', { name: 'Refuse request' }).click();
  const theirs = manager.page.getByRole('region', { name: 'Service request summary' });
  await expect(theirs).toContainText('Cancelled');
  await manager.expectAllSynced();

  const summary = tech.page.getByRole('region', { name: 'Service request summary' });
  await expect(summary).toContainText('Refused by Mia Manager: Stores moves to the new building in March');
  await expect(summary).toContainText('Cancelled');
  await expect(tech.nextActions().getByRole('button', { name: 'Assign', exact: true })).toHaveCount(0);
});
