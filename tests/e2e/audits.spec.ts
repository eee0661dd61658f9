// Internal audits (ISO/IEC 20000-1 9.2) offline: an auditor plans an audit with
// no network, declares independence, moves it to fieldwork, runs the ISO
// checklist for it and raises a finding from a No; back online they issue the
// report, which prints clean. Only the lead moves the audit: a second auditor on
// the team is told so in core's words.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, expect } from './fixtures';
import { Fieldbook } from './app';
import { Audit, Audits, ISO_TEMPLATE, ITEMS } from './audit';

test.use({ serverOptions: { demo: true } });

/** Where the screenshots people review go: $FIELDBOOK_SCREENSHOTS, or the test's output folder. */
function shot(testInfo: { project: { name: string }; outputPath: (name: string) => string }, name: string) {
  const dir = process.env.FIELDBOOK_SCREENSHOTS;
  const file = `${name}-${testInfo.project.name}.png`;
  if (!dir) return testInfo.outputPath(file);
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, file);
}

const TITLE = 'Service desk internal audit, demo site';

test('an auditor plans an audit offline, runs the ISO checklist for it, raises a finding, and issues a report that prints clean @phone', async ({ context, server }, testInfo) => {
  const app = await Fieldbook.open(context, server.url, 'auditor');
  await app.expectAllSynced();
  const audits = new Audits(app.page);
  const checklist = new Audit(app.page);
  await audits.open();
  await expect(app.page.getByText('No audits on this device yet.')).toBeVisible();

  // 1. On site, no network: plan the audit. Core says what a plan lacks.
  await context.setOffline(true);
  await app.expectOffline(0);
  await app.page.getByRole('link', { name: 'New audit' }).click();
  await app.page.getByRole('button', { name: 'Plan the audit' }).click();
  await expect(app.page.getByRole('form', { name: 'New audit' }).getByRole('alert')).toHaveText('An audit needs a title.');
  await app.page.getByRole('link', { name: '← Audits' }).click();
  await audits.plan({ title: TITLE, clauses: '4.2, 8.6', plannedFor: '2026-12-01' });
  await audits.expectStatus('Planned');
  await expect(audits.summary()).toContainText('4.2, 8.6');
  await expect(audits.summary()).toContainText('2026-12-01');
  await expect(audits.member('Ada Auditor')).toContainText('Lead auditor');
  await expect(audits.member('Ada Auditor')).toContainText('Independence not declared yet');
  // Fieldwork is not offered before preparation, nor before independence is declared.
  await expect(audits.nextActions().getByRole('button', { name: 'Start fieldwork' })).toHaveCount(0);

  // 2. Declare independence, prepare, start fieldwork.
  await audits.declareIndependence('I do not work on the service desk and have not audited my own work.');
  await expect(audits.member('Ada Auditor')).toContainText('Independence declared');
  await expect(audits.member('Ada Auditor')).toContainText('have not audited my own work');
  await audits.tapAction('Start preparation');
  await audits.expectStatus('Preparation');
  await audits.tapAction('Start fieldwork');
  await audits.expectStatus('Fieldwork');

  // 3. Start a run of the ISO template from the audit; answer No and raise a finding.
  await audits.startRun();
  await checklist.answer(ITEMS.issues, 'Yes');
  await checklist.answer(ITEMS.parties, 'No');
  await checklist.item(ITEMS.parties).getByRole('button', { name: 'Raise a finding' }).click();
  await expect(app.page).toHaveURL(/\/findings\//);
  await expect(checklist.findingSummary()).toContainText('4.2');

  // 4. The audit lists its run (progress, score) and its finding (classification, status).
  await audits.open();
  await expect(audits.list()).toContainText(TITLE);
  await expect(audits.list()).toContainText('1 run · 1 finding');
  await audits.openAudit(TITLE);
  await expect(audits.runs()).toContainText(ISO_TEMPLATE);
  await expect(audits.runs()).toContainText('2 of 51 answered');
  await expect(audits.runs()).toContainText('Score: 1 of 53 points');
  await expect(audits.findings()).toContainText('Minor nonconformity');
  await expect(audits.findings()).toContainText('Draft');
  await expect(audits.findings()).toContainText('clause 4.2');
  await expect(app.strip).toContainText('changes not yet on the server');
  await app.page.screenshot({ path: shot(testInfo, 'audit-page'), fullPage: true });

  // 5. Back online everything reaches the server; the lead ends fieldwork.
  await context.setOffline(false);
  await app.expectAllSynced();
  await audits.tapAction('End fieldwork');
  await audits.expectStatus('Reporting');

  // 6. Issuing needs a summary and a conclusion (core's guard); then it is issued.
  await audits.issueReport({ summary: ' ', conclusion: '' });
  await expect(app.page.getByRole('form', { name: 'Issue the report' }).getByRole('alert')).toHaveText(
    'The report needs a summary before it is issued.',
  );
  await app.page.getByRole('button', { name: 'Back' }).click();
  await audits.issueReport({
    summary: 'The service desk meets most of clause 8.6; interested parties are not fully identified.',
    conclusion: 'The SMS conforms except for one minor nonconformity against 4.2.',
    distribution: 'Service owner\nTop management',
  });
  await audits.expectStatus('Report issued');
  await app.expectAllSynced();

  // 7. The report: scope, team, scores, and the finding with its clause and statement.
  await audits.openReport();
  const report = audits.report();
  await expect(report.getByRole('heading', { name: TITLE })).toBeVisible();
  await expect(report).toContainText('Issued');
  await expect(report).toContainText('by Ada Auditor');
  await expect(report).toContainText('Incident and service request management');
  await expect(report).toContainText('Ada Auditor — Lead auditor, independence declared');
  await expect(report).toContainText('Score: 1 of 53 points');
  await expect(report).toContainText('Top management');
  const finding = report.getByRole('article', { name: '1. Minor nonconformity' });
  await expect(finding).toContainText('4.2');
  await expect(finding).toContainText('Draft');
  await expect(finding).toContainText(`asked “${ITEMS.parties}”, the answer was “No”`);
  const print = app.page.getByRole('button', { name: 'Print report' });
  await expect(print).toBeVisible();
  await app.page.screenshot({ path: shot(testInfo, 'audit-report'), fullPage: true });

  // 8. Printed (the browser's "Save as PDF"): no navigation, status strip or buttons.
  await app.page.emulateMedia({ media: 'print' });
  await expect(finding).toBeVisible();
  await expect(app.page.getByRole('navigation', { name: 'Sections' })).toBeHidden();
  await expect(app.strip).toBeHidden();
  await expect(print).toBeHidden();
  await expect(app.page.getByRole('link', { name: '← Audit' })).toBeHidden();
  const colour = await finding.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).breakInside]);
  expect(colour).toEqual(['rgb(0, 0, 0)', 'avoid']);
  await app.page.screenshot({ path: shot(testInfo, 'audit-report-print'), fullPage: true });
});

test('only the lead moves the audit: a second auditor declares their own independence and is told who issues the report', async ({ browser, server }) => {
  const ada = await Fieldbook.open(await browser.newContext(), server.url, 'auditor');
  const aziz = await Fieldbook.open(await browser.newContext(), server.url, 'auditor2');
  const lead = new Audits(ada.page);
  const second = new Audits(aziz.page);

  // 1. Ada plans the audit with Aziz, picked from the site's people, on the team.
  await ada.expectAllSynced();
  await lead.open();
  await lead.plan({ title: TITLE, auditors: ['Aziz Auditor (auditor2)'] });
  await expect(lead.member('Aziz Auditor')).toContainText('Independence not declared yet');
  await lead.declareIndependence('I have no role in the service desk.');
  await lead.tapAction('Start preparation');
  await lead.expectStatus('Preparation');
  // Fieldwork waits for Aziz, in core's words; Ada cannot declare for him.
  await expect(lead.nextActions().getByRole('note')).toHaveText(
    'Fieldwork cannot start until every auditor has declared independence; waiting for Aziz Auditor.',
  );
  await expect(lead.nextActions().getByRole('button', { name: 'Declare independence' })).toHaveCount(0);
  await ada.expectAllSynced();

  // 2. Aziz sees the audit, may not start its steps, and declares his own independence.
  await aziz.expectAllSynced();
  await second.open();
  await second.openAudit(TITLE);
  await second.expectStatus('Preparation');
  await expect(second.nextActions().getByRole('button', { name: 'Start fieldwork' })).toHaveCount(0);
  await second.declareIndependence('I audit the service desk for the first time.');
  await expect(second.member('Aziz Auditor')).toContainText('Independence declared');
  await aziz.expectAllSynced();

  // 3. Ada sees his declaration arrive, starts and ends fieldwork.
  await expect(lead.member('Aziz Auditor')).toContainText('Independence declared');
  await lead.tapAction('Start fieldwork');
  await lead.expectStatus('Fieldwork');
  await lead.tapAction('End fieldwork');
  await lead.expectStatus('Reporting');
  await ada.expectAllSynced();

  // 4. Aziz, on the team, cannot issue the report: the action is not his, and core says whose it is.
  await second.expectStatus('Reporting');
  await expect(second.nextActions().getByRole('button', { name: 'Issue the report' })).toHaveCount(0);
  await expect(second.nextActions().getByRole('note')).toHaveText(
    'Only the lead auditor (Ada Auditor) can issue the report, not Aziz Auditor.',
  );
  await expect(lead.nextActions().getByRole('button', { name: 'Issue the report' })).toBeVisible();
});
