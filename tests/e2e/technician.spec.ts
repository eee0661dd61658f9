// The technician's incident page: the whole workflow with SLA clocks, offline,
// work notes between devices, and a conflict two offline devices make.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';

test.use({ serverOptions: { demo: true } });

test('a technician works an incident offline from New to Resolved; it is confirmed once online @phone', async ({ context, server }) => {
  const app = await Fieldbook.open(context, server.url);
  await app.expectAllSynced();
  await app.createIncident({ title: 'Label printer jams at dock 1', impact: 3, urgency: 3 });
  await app.expectAllSynced();
  const summary = app.incidentSummary();
  await expect(summary).toContainText('New');
  await expect(app.slaClock('First response')).toContainText('Running');
  await expect(app.slaClock('Resolution')).toContainText('Running');
  await expect(app.slaProvisional()).toHaveCount(0);

  // 1. Offline in the plant room.
  await context.setOffline(true);
  await app.expectOffline(0);

  // 2. Assign: the first response is met, and the clocks are provisional until the server has it.
  await app.assign('Field service', 'Sam Okafor');
  await expect(summary).toContainText('Assigned to Field service · Sam Okafor');
  await expect(app.slaClock('First response')).toContainText('Met');
  await expect(app.slaProvisional()).toBeVisible();

  // 3. Start work.
  await app.tapAction('Start work');
  await expect(summary).toContainText('In progress');

  // 4. Waiting for the caller pauses the resolution clock.
  await app.hold('Awaiting caller');
  const resolution = app.slaClock('Resolution');
  await expect(resolution).toContainText('Paused');
  await expect(resolution.getByRole('progressbar')).toHaveAttribute('aria-valuemin', '0');
  await expect(resolution.getByRole('progressbar')).toHaveAttribute('aria-valuemax', '100');
  await expect(resolution.getByRole('progressbar')).toHaveAttribute('aria-valuetext', /target used; .* left/);

  // 5. Resume: it runs again.
  await app.tapAction('Resume');
  await expect(summary).toContainText('In progress');
  await expect(resolution).toContainText('Running');

  // 6. Resolving without notes is refused, in words.
  await app.tapAction('Resolve');
  const form = app.actionForm('Resolve');
  await form.getByLabel('Resolution code').selectOption({ label: 'Fixed' });
  await form.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(form.getByRole('alert')).toHaveText('A resolution needs notes saying what was done.');
  await expect(summary).toContainText('In progress');

  // 7. With notes it resolves; the resolution clock is met.
  await form.getByLabel('Resolution notes').fill('Cleared a jammed label roll and cleaned the rollers.');
  await form.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(summary).toContainText('Resolved');
  await expect(resolution).toContainText('Met');
  await app.expectOffline(5);
  await expect(app.slaProvisional()).toBeVisible();
  const history = await app.openHistory();
  await expect(history.getByRole('listitem').first()).toContainText('Resolved');
  await expect(history.getByRole('listitem').first()).toContainText('not yet on the server');

  // 8. Back online: the server confirms, and the clocks are no longer provisional.
  await context.setOffline(false);
  await app.expectAllSynced();
  await expect(app.slaProvisional()).toHaveCount(0);
  await expect(history.getByText('not yet on the server')).toHaveCount(0);
  await expect(summary).toContainText('Resolved');
  await expect(app.nextActions().getByRole('button', { name: 'Close', exact: true })).toBeVisible();

  // 9. The caller confirms on the phone; it closes, and the page says nobody signed.
  await app.tapAction('Close');
  const close = app.actionForm('Close');
  await close.getByLabel('Confirmed by (usually the caller)').fill('Sam at the packing desk');
  await close.getByRole('button', { name: 'Close incident' }).click();
  await expect(summary).toContainText('Closed');
  await expect(app.page.getByRole('region', { name: 'Customer signature' })).toContainText('Closed without a customer signature.');
});

test('the SLA clocks keep moving on a page left open', async ({ page, server }) => {
  await page.clock.install();
  const app = new Fieldbook(page);
  await page.goto(server.url);
  await app.expectAllSynced();
  // P3: four hours to the first response.
  await app.createIncident({ title: 'Freezer 4 alarm sounding', impact: 3, urgency: 3 });
  const first = app.slaClock('First response');
  await expect(first).toContainText(/(3 h 59 min|4 h) left/);
  await expect(first.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '0');

  // An hour later, with nobody touching the tablet.
  await page.clock.fastForward('01:00:00');
  await expect(first).toContainText(/(2 h 59 min|3 h) left/);
  await expect(first.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^2[45]$/);
  await expect(first).toContainText('Running');
});

test('a work note added offline appears on a second device after sync, newest first', async ({ browser, server }) => {
  const a = await Fieldbook.open(await browser.newContext(), server.url);
  const b = await Fieldbook.open(await browser.newContext(), server.url);
  await a.openIncident('Wi-Fi down in warehouse B');
  await b.openIncident('Wi-Fi down in warehouse B');
  await a.expectAllSynced();
  await b.expectAllSynced();

  await a.page.context().setOffline(true);
  const note = 'Access point 3 has no power; PoE port 12 on the switch is dead.';
  await a.addWorkNote(note);
  const mine = a.workNotes().getByRole('listitem').first();
  await expect(mine).toContainText('This device');
  await expect(mine).toContainText('device time');
  await expect(mine).toContainText('not yet on the server');
  await expect(b.page.getByText('No work notes yet.')).toBeVisible();

  await a.page.context().setOffline(false);
  await a.expectAllSynced();
  await expect(mine).not.toContainText('not yet on the server');
  const theirs = b.workNotes().getByRole('listitem').first();
  await expect(theirs).toContainText(note);
  await expect(theirs).toContainText(/Device [0-9a-f]{6}/);

  // A reply from the second device lands on top on the first.
  await b.addWorkNote('Ordered a replacement PoE injector.');
  await expect(a.workNotes().getByRole('listitem').first()).toContainText('Ordered a replacement PoE injector.');
  await expect(a.workNotes().getByRole('listitem')).toHaveCount(2);
});

test('two devices resolve and hold the same incident offline: both show "Needs review" until one marks it reviewed', async ({ browser, server }) => {
  const tabletA = await browser.newContext();
  const tabletB = await browser.newContext();
  const a = await Fieldbook.open(tabletA, server.url);
  const b = await Fieldbook.open(tabletB, server.url);
  const title = 'Badge reader at gate 2 rejects every card';
  await a.createIncident({ title, impact: 2, urgency: 3 });
  await a.assign('Access control');
  await a.tapAction('Start work');
  await expect(a.incidentSummary()).toContainText('In progress');
  await a.expectAllSynced();
  await b.openIncident(title);
  await expect(b.incidentSummary()).toContainText('In progress');
  await b.expectAllSynced();

  await tabletA.setOffline(true);
  await tabletB.setOffline(true);
  await a.resolve('Configuration changed', 'Re-enrolled the reader with the controller.');
  await b.hold('Awaiting vendor');
  await expect(a.needsReview()).toHaveCount(0);
  await expect(b.needsReview()).toHaveCount(0);

  await tabletA.setOffline(false);
  await tabletB.setOffline(false);
  await a.expectAllSynced();
  await b.expectAllSynced();
  for (const device of [a, b]) {
    const review = device.needsReview();
    await expect(review).toBeVisible();
    await expect(review).toContainText('Resolved (Configuration changed): Re-enrolled the reader with the controller.');
    await expect(review).toContainText('Put on hold: Awaiting vendor');
    await expect(review.getByRole('list', { name: 'Applied changes' }).getByRole('listitem')).toHaveCount(1);
    await expect(review.getByRole('list', { name: 'Set-aside changes' })).toContainText('Why it was set aside');
  }

  // One person reviews it; the banner goes on both devices.
  await b.needsReview().getByRole('button', { name: 'Mark as reviewed' }).click();
  await expect(b.needsReview()).toHaveCount(0);
  await expect(a.needsReview()).toHaveCount(0);
});
