// Settings → Service levels: an admin publishes new SLA targets, business hours and holidays
// (offline, then synced); a technician on another device logs the next incident under them,
// while incidents already logged keep the version they were logged under. The admin chooses
// which holds pause the clocks, and an incident logged under that version pauses only for them.
// An admin of several sites picks the site whose levels they edit. Only admins see the
// settings form; the server refuses anyone else's change (sync-server/tests/server/service_levels.rs).
import { type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, DEMO_PASSWORD } from './fixtures';
import { Fieldbook } from './app';

test.use({ serverOptions: { demo: true } });

/** The service-levels page, as an admin uses it. */
class ServiceLevels {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Service levels' }).click();
    await expect(this.page.getByRole('heading', { name: 'Service levels', level: 1 })).toBeVisible();
  }

  field(label: string) {
    return this.page.getByLabel(label, { exact: true });
  }

  async hours(day: string, opens: string, closes: string) {
    await this.field(`${day} opens`).fill(opens);
    await this.field(`${day} closes`).fill(closes);
  }

  async dayOff(day: string) {
    await this.field(`${day} is a working day`).uncheck();
    await expect(this.field(`${day} opens`)).toHaveCount(0);
  }

  publishButton(version: number) {
    return this.page.getByRole('button', { name: `Publish version ${version}` });
  }

  /** The tick box of one hold reason in "Clocks pause while on hold". */
  pause(reason: string) {
    return this.page.getByRole('group', { name: 'Clocks pause while on hold' }).getByLabel(reason, { exact: true });
  }

  sitePicker() {
    return this.page.getByLabel('Site', { exact: true });
  }

  standing() {
    return this.page.locator('.standing');
  }
}

test('an admin publishes new targets and hours offline; a technician on another device logs under them @phone', async ({ browser, server }, testInfo) => {
  // 0. A technician's device, with the demo incidents logged under Fieldbook's standard.
  const tech = await Fieldbook.open(await browser.newContext(), server.url, 'tech');
  await tech.expectAllSynced();
  await tech.openIncident('Wi-Fi down in warehouse B');
  const oldTarget = await tech.slaClock('Resolution').getByText(/^Target /).textContent();
  await expect(tech.page.getByText(/^Service levels version 1:/)).toHaveText(
    'Service levels version 1: Every day 00:00–24:00, UTC+00:00',
  );

  // 1. The admin opens the settings and makes mistakes: each is named, nothing is published.
  const admin = await Fieldbook.open(await browser.newContext(), server.url, 'admin');
  await admin.expectAllSynced();
  const levels = new ServiceLevels(admin.page);
  await levels.open();
  await expect(admin.page.getByText("Fieldbook's standard (version 1)")).toBeVisible();
  await expect(levels.field('P3 resolution')).toHaveValue('1440');
  await levels.field('P3 resolution').fill('100');
  await levels.hours('Monday', '18:00', '08:00');
  await levels.field('Holidays (YYYY-MM-DD, one a line)').fill('2026-02-30');
  await levels.publishButton(2).click();
  const alert = admin.page.getByRole('alert');
  await expect(alert).toContainText('P3: resolution (100 min) cannot come before first response (240 min)');
  await expect(alert).toContainText('Monday: working hours must close after they open (18:00 to 08:00 does not)');
  await expect(alert).toContainText('holiday “2026-02-30”: month 2 of 2026 has no day 30');
  await expect(admin.page.getByRole('heading', { name: 'Published versions' })).toHaveCount(0);

  // 2. Corrected: P3 resolves in 10 business hours, Monday to Friday 08:00–18:00 at UTC+01:00,
  //    weekends off, Christmas a holiday. Published offline: saved on the device first.
  await levels.field('P3 resolution').fill('600');
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
    await levels.hours(day, '08:00', '18:00');
  }
  await levels.dayOff('Saturday');
  await levels.dayOff('Sunday');
  await levels.field('UTC offset (e.g. +01:00)').fill('+01:00');
  await levels.field('Holidays (YYYY-MM-DD, one a line)').fill('2026-12-25');
  await admin.page.context().setOffline(true);
  await levels.publishButton(2).click();
  await expect(admin.page.getByRole('status').filter({ hasText: 'Version 2 published' })).toBeVisible();
  await expect(alert).toHaveCount(0);
  const history = admin.page.getByRole('region', { name: 'Published versions' });
  await expect(history).toContainText('Version 2 by');
  await expect(history).toContainText('P3 resolution 10 h');
  await expect(levels.publishButton(3)).toBeVisible();
  await admin.page.screenshot({ path: testInfo.outputPath('service-levels-admin.png'), fullPage: true });
  await admin.page.context().setOffline(false);
  await admin.expectAllSynced();

  // 3. The technician's device receives the new version (it shows which one is in force, read-only).
  await tech.page.goto(server.url + '/settings/service-levels');
  await expect(tech.page.getByText('New incidents are logged under version 2: Monday to Friday 08:00–18:00, UTC+01:00, 1 holiday.')).toBeVisible();
  await expect(tech.page.getByRole('button', { name: /Publish/ })).toHaveCount(0);
  await expect(tech.page.getByLabel('P3 resolution')).toHaveCount(0);
  await tech.page.goto(server.url + '/incidents');
  await tech.expectAllSynced();

  // 4. Its next P3 incident counts on version 2.
  await tech.createIncident({ title: 'Badge printer jams at reception', impact: 3, urgency: 3 });
  await expect(tech.slaClock('Resolution')).toContainText('Target 10 h for P3');
  await expect(tech.page.getByText(/^Service levels version 2:/)).toHaveText(
    'Service levels version 2: Monday to Friday 08:00–18:00, UTC+01:00, 1 holiday',
  );
  await tech.expectAllSynced();

  // 5. The incident logged before keeps the standard: its clocks did not jump.
  await tech.goToList();
  await tech.openIncident('Wi-Fi down in warehouse B');
  await expect(tech.slaClock('Resolution').getByText(/^Target /)).toHaveText(oldTarget!);
  await expect(tech.page.getByText(/^Service levels version 1:/)).toBeVisible();

  // 6. The admin's own device lists the new incident with its SLA, counted on version 2.
  await admin.page.goto(server.url + '/incidents');
  await expect(admin.incidentLink('Badge printer jams at reception')).toBeVisible();
});

test('a technician sees no service-levels link and no form @phone', async ({ context, server }, testInfo) => {
  const tech = await Fieldbook.open(context, server.url, 'tech');
  await tech.expectAllSynced();
  const sections = tech.page.getByRole('navigation', { name: 'Sections' });
  await expect(sections.getByRole('link', { name: 'Incidents' })).toBeVisible();
  await expect(sections.getByRole('link', { name: 'Service levels' })).toHaveCount(0);
  await tech.page.goto(server.url + '/settings/service-levels');
  await expect(tech.page.getByText('are set by an administrator')).toBeVisible();
  await expect(tech.page.getByText('New incidents are logged under version 1: Every day 00:00–24:00, UTC+00:00.')).toBeVisible();
  await expect(tech.page.getByRole('textbox')).toHaveCount(0);
  await expect(tech.page.getByRole('button', { name: /Publish/ })).toHaveCount(0);
  await tech.page.screenshot({ path: testInfo.outputPath('service-levels-technician.png'), fullPage: true });
});

test('an admin stops vendor holds pausing the clocks; an incident held for a vendor keeps counting, one held for the caller pauses @phone', async ({ browser, server }, testInfo) => {
  // 1. The standard pauses the clocks while awaiting the caller or a vendor.
  const admin = await Fieldbook.open(await browser.newContext(), server.url, 'admin');
  await admin.expectAllSynced();
  const levels = new ServiceLevels(admin.page);
  await levels.open();
  await expect(levels.pause('Awaiting caller')).toBeChecked();
  await expect(levels.pause('Awaiting vendor')).toBeChecked();
  await expect(levels.pause('Awaiting change')).not.toBeChecked();
  await expect(levels.pause('Awaiting problem')).not.toBeChecked();

  // 2. A change the admin thinks better of is discarded: the form is the standard again.
  await levels.pause('Awaiting change').check();
  await admin.page.getByRole('button', { name: 'Discard changes' }).click();
  await expect(levels.pause('Awaiting change')).not.toBeChecked();
  await expect(admin.page.getByRole('button', { name: 'Discard changes' })).toHaveCount(0);

  // 3. Vendor waits now count against the targets: version 2 pauses for the caller only.
  await levels.pause('Awaiting vendor').uncheck();
  await levels.publishButton(2).click();
  await expect(admin.page.getByRole('status').filter({ hasText: 'Version 2 published' })).toBeVisible();
  await expect(levels.standing()).toHaveText(
    'Version 2 is in force: Every day 00:00–24:00, UTC+00:00. Clocks pause while on hold: Awaiting caller.',
  );
  await expect(levels.pause('Awaiting vendor')).not.toBeChecked();
  await admin.page.getByRole('group', { name: 'Clocks pause while on hold' }).screenshot({ path: testInfo.outputPath('service-levels-pauses.png') });
  await admin.expectAllSynced();

  // 4. A technician's device receives it and logs two incidents under it.
  const tech = await Fieldbook.open(await browser.newContext(), server.url, 'tech');
  await tech.page.goto(server.url + '/settings/service-levels');
  await expect(tech.page.getByText('New incidents are logged under version 2: Every day 00:00–24:00, UTC+00:00. Clocks pause while on hold: Awaiting caller.')).toBeVisible();
  await tech.page.goto(server.url + '/incidents');
  await tech.expectAllSynced();
  //    Each is taken on and put on hold; the hold form promises a pause for the caller only.
  const heldFor = async (title: string, reason: string) => {
    await tech.createIncident({ title, impact: 3, urgency: 3 });
    await expect(tech.page.getByText(/^Service levels version 2:/)).toBeVisible();
    await expect(tech.page.getByText('Clocks pause while on hold: Awaiting caller', { exact: true })).toBeVisible();
    await tech.assign('Field service');
    await tech.tapAction('Start work');
    await tech.tapAction('Put on hold');
    const form = tech.actionForm('Put on hold');
    const waitingFor = form.getByLabel('Waiting for');
    await expect(waitingFor.getByRole('option', { name: 'Awaiting vendor', exact: true })).toHaveCount(1);
    await expect(waitingFor.getByRole('option', { name: 'Awaiting caller (SLA clocks pause)', exact: true })).toHaveCount(1);
    await waitingFor.selectOption({ label: reason === 'Awaiting caller' ? 'Awaiting caller (SLA clocks pause)' : reason });
    await form.getByRole('button', { name: 'Put on hold', exact: true }).click();
    await expect(tech.incidentSummary()).toContainText(`On hold · ${reason}`);
  };

  // 5. Held for a vendor: the clock keeps running.
  await heldFor('Dock scanner needs vendor firmware', 'Awaiting vendor');
  await expect(tech.slaClock('Resolution').locator('.clock-state')).toHaveText('Running');
  await tech.page.getByRole('region', { name: 'SLA' }).screenshot({ path: testInfo.outputPath('incident-vendor-hold-sla.png') });

  // 6. Held for the caller: paused, as version 2 says.
  await tech.goToList();
  await heldFor('Caller to confirm a desk move', 'Awaiting caller');
  await expect(tech.slaClock('Resolution').locator('.clock-state')).toHaveText('Paused');
  await tech.expectAllSynced();
});

test.describe('an admin of two sites', () => {
  test.use({
    serverOptions: {
      setup: [
        { args: ['org', 'add', 'acme', 'Acme Logistics'] },
        { args: ['site', 'add', '--org', 'acme', 'north', 'North depot'] },
        { args: ['site', 'add', '--org', 'acme', 'south', 'South depot'] },
        {
          args: ['user', 'add', '--org', 'acme', '--login', 'nora', '--name', 'Nora Admin', '--role', 'admin', '--site', 'north', '--site', 'south'],
          input: `${DEMO_PASSWORD}\n`,
        },
        {
          args: ['user', 'add', '--org', 'acme', '--login', 'milo', '--name', 'Milo Manager', '--role', 'manager', '--site', 'north', '--site', 'south'],
          input: `${DEMO_PASSWORD}\n`,
        },
      ],
    },
  });

  test('picks the site whose service levels she publishes; a manager of both sees each site\'s version @phone', async ({ browser, server }, testInfo) => {
    // 1. Nora opens the settings on her default site, North depot.
    const nora = await Fieldbook.open(await browser.newContext(), server.url, 'nora');
    await nora.expectAllSynced();
    const levels = new ServiceLevels(nora.page);
    await levels.open();
    await expect(levels.sitePicker()).toHaveValue('north');
    await expect(nora.page.getByText('For North depot.')).toBeVisible();
    await expect(nora.page.getByText("Fieldbook's standard (version 1)")).toBeVisible();

    // 2. She picks South depot and starts editing: the picker waits until she publishes or discards.
    await levels.sitePicker().selectOption({ label: 'South depot' });
    await expect(nora.page.getByText('For South depot.')).toBeVisible();
    await levels.field('P3 resolution').fill('600');
    await expect(levels.sitePicker()).toBeDisabled();
    await expect(nora.page.getByText('Publish or discard the changes below to switch site.')).toBeVisible();
    //    The page with the picker has no serious or critical accessibility violations.
    const axe = await new AxeBuilder({ page: nora.page }).analyze();
    const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
    await nora.page.evaluate(() => window.scrollTo(0, 0));
    await nora.page.screenshot({ path: testInfo.outputPath('service-levels-site-picker.png') });
    await nora.page.getByRole('button', { name: 'Discard changes' }).click();
    await expect(levels.field('P3 resolution')).toHaveValue('1440');
    await expect(levels.sitePicker()).toBeEnabled();

    // 3. South depot's version 2: P3 in 10 hours, clocks paused only for a vendor.
    await levels.field('P3 resolution').fill('600');
    await levels.pause('Awaiting caller').uncheck();
    await levels.publishButton(2).click();
    await expect(nora.page.getByRole('status').filter({ hasText: 'Version 2 published' })).toBeVisible();
    await expect(levels.sitePicker()).toBeEnabled();
    await nora.expectAllSynced();

    // 4. North depot still has the standard; its form shows it, not South's.
    await levels.sitePicker().selectOption({ label: 'North depot' });
    await expect(nora.page.getByText('For North depot.')).toBeVisible();
    await expect(nora.page.getByText("Fieldbook's standard (version 1)")).toBeVisible();
    await expect(levels.field('P3 resolution')).toHaveValue('1440');
    await expect(levels.pause('Awaiting caller')).toBeChecked();
    await expect(levels.publishButton(2)).toBeVisible();

    // 5. Back on South depot: its version 2 is in force and the next is 3.
    await levels.sitePicker().selectOption({ label: 'South depot' });
    await expect(levels.standing()).toHaveText(
      'Version 2 is in force: Every day 00:00–24:00, UTC+00:00. Clocks pause while on hold: Awaiting vendor.',
    );
    await expect(levels.field('P3 resolution')).toHaveValue('600');
    await expect(levels.pause('Awaiting caller')).not.toBeChecked();
    await expect(levels.publishButton(3)).toBeVisible();
    await nora.page.screenshot({ path: testInfo.outputPath('service-levels-south.png'), fullPage: true });

    // 6. Milo, a manager at both sites, sees the version in force at each, and no form.
    const milo = await Fieldbook.open(await browser.newContext(), server.url, 'milo');
    await milo.expectAllSynced();
    await milo.page.goto(server.url + '/settings/service-levels');
    await expect(milo.page.getByText('At North depot, new incidents are logged under version 1: Every day 00:00–24:00, UTC+00:00. Clocks pause while on hold: Awaiting caller, Awaiting vendor.')).toBeVisible();
    await expect(milo.page.getByText('At South depot, new incidents are logged under version 2: Every day 00:00–24:00, UTC+00:00. Clocks pause while on hold: Awaiting vendor.')).toBeVisible();
    await expect(milo.page.getByLabel('Site', { exact: true })).toHaveCount(0);
    await expect(milo.page.getByRole('button', { name: /Publish/ })).toHaveCount(0);
    await milo.page.screenshot({ path: testInfo.outputPath('service-levels-manager.png'), fullPage: true });
  });
});
