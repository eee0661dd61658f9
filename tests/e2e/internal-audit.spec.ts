// An internal audit from plan to closed finding (ISO/IEC 20000-1 9.2, 10.1), as the
// auditors meet it: two auditors on one run, both offline, each on their own section;
// the lead raises three findings from flagged answers with photos; back online every
// answer, photo and finding merges; the lead issues the report; the finding's owner
// plans a corrective action, the action's owner carries it out and may not close the
// finding; a third person verifies it effective and the finding closes.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';
import { Audit, Audits, ITEMS, shot } from './audit';
import { png } from './images';

test.use({ serverOptions: { demo: true } });

const TITLE = 'Context and leadership, north site';
const ANSWERABLE = 51;

/** The three "No" answers Ada raises findings from, each with the statement she writes. */
const FINDINGS = [
  {
    item: ITEMS.issues,
    requirement: 'External and internal issues are determined and reviewed (4.1).',
    gap: 'The list of issues was last reviewed two years ago.',
  },
  {
    item: ITEMS.parties,
    requirement: 'Interested parties and their requirements are determined (4.2).',
    gap: 'Suppliers and regulators are not named as interested parties.',
  },
  {
    item: ITEMS.scope,
    requirement: 'The scope names the services and who delivers them (4.3).',
    gap: 'The scope document does not name field repair.',
  },
];
const ACTION = 'Keep a register of interested parties and review it quarterly';

test('two auditors work one run offline, three findings with photos merge, the report is issued, and a corrective action is verified by a third person while its owner may not close the finding', async ({ browser, server }, testInfo) => {
  test.setTimeout(420_000);
  const ada = await Fieldbook.open(await browser.newContext(), server.url, 'auditor');
  const aziz = await Fieldbook.open(await browser.newContext(), server.url, 'auditor2');
  const lead = new Audits(ada.page);
  const a = new Audit(ada.page);
  const b = new Audit(aziz.page);

  // 1. Ada plans the audit with Aziz; both declare independence; fieldwork starts and
  //    Ada starts the ISO run for the audit. It reaches Aziz's tablet.
  await ada.expectAllSynced();
  await lead.open();
  await lead.plan({ title: TITLE, clauses: '4.1, 4.2, 4.3, 5.2', auditors: ['Aziz Auditor (auditor2)'] });
  await lead.declareIndependence('I do not work at the north site.');
  await lead.tapAction('Start preparation');
  await lead.expectStatus('Preparation');
  await ada.expectAllSynced();
  const second = new Audits(aziz.page);
  await aziz.expectAllSynced();
  await second.open();
  await second.openAudit(TITLE);
  await second.declareIndependence('I have never worked for the service desk.');
  await aziz.expectAllSynced();
  await expect(lead.member('Aziz Auditor')).toContainText('Independence declared');
  await lead.tapAction('Start fieldwork');
  await lead.expectStatus('Fieldwork');
  await lead.startRun();
  await ada.expectAllSynced();
  await aziz.expectAllSynced();
  await b.openChecklists();
  await b.openRun();
  await expect(b.runSummary()).toContainText(`0 of ${ANSWERABLE} answered`);

  // 2. No network for either. Ada answers section 4: three "No"s, each with a photo,
  //    each raised as a finding with its statement.
  await ada.page.context().setOffline(true);
  await aziz.page.context().setOffline(true);
  await ada.expectOffline(0);
  for (const [i, finding] of FINDINGS.entries()) {
    await a.answer(finding.item, 'No');
    await a.addAnswerPhoto(finding.item, png(800 + 100 * i, 600));
    await a.item(finding.item).getByRole('button', { name: 'Raise a finding' }).click();
    await expect(ada.page).toHaveURL(/\/findings\//);
    await expect(a.evidence().getByRole('img', { name: finding.item })).toBeVisible();
    await a.saveStatement({ requirement: finding.requirement, gap: finding.gap });
    await ada.page.getByRole('link', { name: 'Checklist answer' }).first().click();
    await expect(a.item(finding.item).getByRole('link', { name: 'Open the finding' })).toBeVisible();
  }
  await a.answer(ITEMS.processes, 'Yes');
  await expect(a.runSummary()).toContainText(`4 of ${ANSWERABLE} answered`);

  //    Aziz, at the same time, answers section 5 with a photo of his own.
  await b.answer(ITEMS.involvement, 'Yes');
  await b.answer(ITEMS.policy, 'Yes');
  await b.answer(ITEMS.policyKnown, 'No');
  await b.addAnswerPhoto(ITEMS.policyKnown, png(640, 480));
  await expect(b.runSummary()).toContainText(`3 of ${ANSWERABLE} answered`);

  // 3. Both reconnect: each tablet holds all seven answers and all four photos, with
  //    no conflict, and the audit lists its three findings.
  await ada.page.context().setOffline(false);
  await aziz.page.context().setOffline(false);
  await ada.expectAllSynced();
  await aziz.expectAllSynced();
  await ada.expectAllSynced();
  for (const side of [a, b]) {
    await expect(side.runSummary()).toContainText(`7 of ${ANSWERABLE} answered`);
    await expect(side.page.getByRole('group', { name: 'Two answers' })).toHaveCount(0);
    for (const finding of FINDINGS) {
      await expect(side.answerPhotos(finding.item).getByRole('img')).toHaveCount(1);
      await expect(side.item(finding.item).getByRole('link', { name: 'Open the finding' })).toBeVisible();
    }
    await expect(side.answerPhotos(ITEMS.policyKnown).getByRole('img')).toHaveCount(1);
  }
  await second.open();
  await second.openAudit(TITLE);
  await expect(second.findings().getByRole('listitem')).toHaveCount(3);
  await b.openFinding(FINDINGS[2].gap);
  await expect(b.evidence().getByRole('img', { name: FINDINGS[2].item })).toBeVisible();
  await aziz.page.screenshot({ path: shot(testInfo, 'merged-finding'), fullPage: true });

  // 4. Ada issues the finding about interested parties to Mia (manager), ends
  //    fieldwork and issues the report: three findings with their photos, and the
  //    score counts both auditors' answers.
  await a.openFinding(FINDINGS[1].gap);
  await a.press('Issue');
  await a.perform('Change owner', (form) => a.pickPerson(form, 'Owner', 'manager'));
  await expect(a.findingSummary()).toContainText('Mia Manager');
  await lead.open();
  await lead.openAudit(TITLE);
  await expect(lead.findings().getByRole('listitem')).toHaveCount(3);
  await lead.tapAction('End fieldwork');
  await lead.expectStatus('Reporting');
  await lead.issueReport({
    summary: 'Context is partly determined: issues, parties and scope need work.',
    conclusion: 'Three minor nonconformities against clause 4.',
  });
  await lead.expectStatus('Report issued');
  await ada.expectAllSynced();
  await lead.openReport();
  const report = lead.report();
  await expect(report.getByRole('article', { name: /^\d+\. / })).toHaveCount(3);
  for (const finding of FINDINGS) await expect(report).toContainText(finding.gap);
  await expect(report.getByRole('img')).toHaveCount(3);
  // Yes to 4.4 (Ada), 5.1 (Aziz, weight 2) and 5.2 (Aziz): four points of the template's 53.
  await expect(report).toContainText('Score: 4 of 53 points');
  await ada.page.screenshot({ path: shot(testInfo, 'report'), fullPage: true });

  // 5. Mia, the finding's owner, plans a corrective action owned by Tess (technician)
  //    and approves it.
  const mia = await Fieldbook.open(await browser.newContext(), server.url, 'manager');
  const m = new Audit(mia.page);
  await mia.expectAllSynced();
  await m.openFinding(FINDINGS[1].gap);
  await expect(m.evidence().getByRole('img', { name: FINDINGS[1].item })).toBeVisible();
  await m.press('Acknowledge');
  await m.perform('Record correction', (form) =>
    form.getByLabel('What was done to contain it').fill('Suppliers were added to the contact list.'));
  await m.perform('Record root cause and plan', async (form) => {
    await form.getByLabel('Method (five whys, fishbone, …)').fill('Five whys');
    await form.getByLabel('Analysis', { exact: true }).fill('No one owns the list of interested parties.');
    await form.getByLabel('Similar cases elsewhere').fill('None.');
  });
  await m.proposeAction({ title: ACTION, steps: ['Draft the register'], owner: 'tech', due: '2026-12-15' });
  await m.press('Start action');
  await m.correctiveActions().getByRole('link', { name: new RegExp(ACTION) }).click();
  await m.press('Approve');
  await mia.expectAllSynced();

  // 6. Tess carries it out with evidence, submits the finding for verification, and
  //    is refused when she tries to close it herself.
  const tess = await Fieldbook.open(await browser.newContext(), server.url, 'tech');
  const t = new Audit(tess.page);
  await tess.expectAllSynced();
  await t.openAction(ACTION);
  await t.press('Start');
  await t.perform('Mark step done', async (form) => {
    await form.getByLabel('Step', { exact: true }).selectOption({ label: 'Draft the register' });
    await form.getByLabel('Evidence the step is done').fill('Register v1 in the SMS library.');
  });
  await t.perform('Mark implemented', async (form) => {
    await form.getByLabel('Evidence the action was carried out').fill('Register approved by top management.');
    await t.addFormPhoto(form, png(800, 600));
  });
  await t.perform('Plan effectiveness check', async (form) => {
    await form.getByLabel('What will show the action worked').fill('The next audit finds every party in the register.');
    await form.getByLabel('Check due').fill('2027-03-01');
  });
  await t.openFinding(FINDINGS[1].gap);
  await t.press('Submit for verification');
  await t.tapAction('Verify');
  const selfCheck = t.actionForm('Verify');
  await selfCheck.getByLabel('Evidence that the actions worked').fill('Done.');
  await selfCheck.getByRole('button', { name: 'Verify' }).click();
  await expect(selfCheck.getByRole('alert')).toContainText('Tess Technician owns one of this finding\'s corrective actions and so cannot verify it');
  await selfCheck.getByRole('button', { name: 'Back' }).click();
  await expect(t.findingSummary()).toContainText('Awaiting verification');
  await tess.expectAllSynced();

  // 7. Alex (admin), neither the finding's owner nor the action's, checks the action
  //    and verifies the finding effective with evidence: it closes, on every device.
  const alex = await Fieldbook.open(await browser.newContext(), server.url, 'admin');
  const x = new Audit(alex.page);
  await alex.expectAllSynced();
  await x.openAction(ACTION);
  await x.perform('Record effectiveness check', (form) =>
    form.getByLabel('Evidence that the action worked').fill('Register lists suppliers and regulators.'));
  await expect(x.actionSummary()).toContainText('Verified effective');
  await x.openFinding(FINDINGS[1].gap);
  await x.perform('Verify', async (form) => {
    await form.getByLabel('Evidence that the actions worked').fill('Register checked against the contracts list.');
    await x.addFormPhoto(form, png(640, 480));
  });
  await expect(x.findingSummary()).toContainText('Closed');
  await alex.expectAllSynced();
  await expect(t.findingSummary()).toContainText('Closed', { timeout: 20_000 });
  await a.openFinding(FINDINGS[1].gap);
  await expect(a.findingSummary()).toContainText('Closed');
  await expect(a.correctiveActions()).toContainText('Effective by Alex Admin');
  await ada.page.screenshot({ path: shot(testInfo, 'finding-closed'), fullPage: true });
});
