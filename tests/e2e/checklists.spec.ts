// Checklists for auditors offline for days: the shipped ISO/IEC 20000-1 template
// is on the device after the first sync, a run is started and answered offline,
// a flagged answer becomes a finding with its clause and evidence, two auditors
// fill different sections of one run offline without conflict, and the score
// leaves "not applicable" out.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';
import { Audit, ISO_TEMPLATE, ITEMS, shot } from './audit';

test.use({ serverOptions: { demo: true } });

/** Items of the ISO template that take an answer (everything but its one instruction). */
const ANSWERABLE = 51;
/** The template's maximum score: the weights of its 39 yes/no items (yes scores 1 × weight). */
const MAX_POINTS = 53;

test('an auditor offline starts the ISO audit, answers section 4 and raises a finding from a No with its clause @phone', async ({ context, server }, testInfo) => {
  const app = await Fieldbook.open(context, server.url, 'auditor');
  await app.expectAllSynced();
  const audit = new Audit(app.page);
  await audit.openChecklists();
  await expect(audit.templates()).toContainText(ISO_TEMPLATE);

  // 1. On site, no network.
  await context.setOffline(true);
  await app.expectOffline(0);

  // 2. Start a run of the shipped template and answer section 4.
  await audit.startRun();
  await expect(audit.runSummary()).toContainText(`0 of ${ANSWERABLE} answered`);
  await expect(app.page.getByRole('heading', { name: '4 Context of the organization', level: 2 })).toBeVisible();
  await audit.answer(ITEMS.issues, 'Yes');
  await audit.note(ITEMS.parties, 'No register of interested parties; the quality lead named customers only.');
  await audit.answer(ITEMS.parties, 'No');
  await audit.answer(ITEMS.scope, 'Yes');
  await audit.answerValue(ITEMS.scopeServices, 'Service desk, field repair');
  await audit.answer(ITEMS.processes, 'Yes');
  await expect(audit.runSummary()).toContainText(`5 of ${ANSWERABLE} answered`);
  await expect(audit.runSummary()).toContainText('In progress');
  await expect(app.strip).toContainText('changes not yet on the server');

  // 3. Submit is core's to refuse: required items are still unanswered.
  await audit.tapAction('Submit');
  await expect(audit.nextActions().getByRole('alert')).toContainText('Required items are not answered yet');

  // 4. The "No" is flagged; raise a finding from it.
  const parties = audit.item(ITEMS.parties);
  await expect(parties.getByText('Flagged')).toBeVisible();
  await expect(audit.item(ITEMS.issues).getByText('Flagged')).toHaveCount(0);
  await parties.scrollIntoViewIfNeeded();
  await app.page.screenshot({ path: shot(testInfo, 'run-page'), fullPage: false });
  await parties.getByRole('button', { name: 'Raise a finding' }).click();

  // 5. The finding page: clause 4.2 from the item, the answer and note as evidence.
  await expect(app.page).toHaveURL(/\/findings\//);
  const summary = audit.findingSummary();
  await expect(summary).toContainText('Minor nonconformity');
  await expect(summary).toContainText('Draft');
  await expect(summary).toContainText('4.2');
  await expect(summary).toContainText('No owner yet');
  await expect(app.page.getByLabel('Objective evidence (what was seen or heard)')).toHaveValue(
    new RegExp(`asked “${escape(ITEMS.parties)}”, the answer was “No”`),
  );
  await expect(audit.evidence()).toContainText('No register of interested parties');
  await expect(audit.evidence().getByRole('link', { name: new RegExp(escape(ISO_TEMPLATE)) })).toBeVisible();
  await app.page.screenshot({ path: shot(testInfo, 'finding-page'), fullPage: true });

  // 6. Core's guards, in its words: a nonconformity is issued with a whole statement.
  await audit.tapAction('Issue');
  await expect(audit.nextActions().getByRole('alert')).toContainText('needs the requirement in its statement');
  await audit.saveStatement({
    requirement: 'Interested parties and their requirements are determined (4.2).',
    gap: 'Suppliers and regulators are not identified.',
  });
  await audit.tapAction('Issue');
  await expect(summary).toContainText('Issued');
  await audit.tapAction('Acknowledge');
  await expect(audit.nextActions().getByRole('alert')).toContainText('needs an owner before it can be acknowledged');

  // 7. The classification is a choice with a reason.
  await audit.tapAction('Change classification');
  const form = audit.actionForm('Change classification');
  await form.getByLabel('Major nonconformity').check();
  await form.getByLabel('Reason').fill('The scope depends on the parties; the gap is systemic.');
  await form.getByRole('button', { name: 'Change classification' }).click();
  await expect(summary).toContainText('Major nonconformity');

  // 8. The run links to the finding; the list shows it; back online it all syncs.
  await app.page.getByRole('link', { name: 'Checklist answer' }).first().click();
  await expect(audit.item(ITEMS.parties).getByRole('link', { name: 'Open the finding' })).toBeVisible();
  await app.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Findings' }).click();
  await expect(app.page.getByRole('list', { name: 'Findings' })).toContainText('Suppliers and regulators are not identified.');
  await expect(app.page.getByRole('list', { name: 'Findings' })).toContainText('Issued');
  await context.setOffline(false);
  await app.expectAllSynced();
});

test('two auditors fill different sections of one run offline; after reconnecting both see every answer, no conflict', async ({ browser, server }) => {
  const ada = await Fieldbook.open(await browser.newContext(), server.url, 'auditor');
  const aziz = await Fieldbook.open(await browser.newContext(), server.url, 'auditor2');
  const a = new Audit(ada.page);
  const b = new Audit(aziz.page);

  // 1. Ada starts the run online; it reaches Aziz's tablet.
  await ada.expectAllSynced();
  await a.openChecklists();
  await a.startRun();
  await ada.expectAllSynced();
  await aziz.expectAllSynced();
  await b.openChecklists();
  await expect(b.runs()).toContainText(ISO_TEMPLATE);
  await b.openRun();
  await expect(b.runSummary()).toContainText(`0 of ${ANSWERABLE} answered`);

  // 2. Both go offline; Ada does section 4, Aziz section 5.
  await ada.page.context().setOffline(true);
  await aziz.page.context().setOffline(true);
  await a.answer(ITEMS.issues, 'Yes');
  await a.answer(ITEMS.parties, 'Yes');
  await a.answer(ITEMS.scope, 'No');
  await a.answer(ITEMS.processes, 'Yes');
  await b.answer(ITEMS.involvement, 'Yes');
  await b.answer(ITEMS.policy, 'N/A');
  await b.answer(ITEMS.policyKnown, 'No');
  await expect(a.runSummary()).toContainText(`4 of ${ANSWERABLE} answered`);
  await expect(b.runSummary()).toContainText(`3 of ${ANSWERABLE} answered`);

  // 3. Back online: both tablets hold all seven answers, none contested.
  await ada.page.context().setOffline(false);
  await aziz.page.context().setOffline(false);
  await ada.expectAllSynced();
  await aziz.expectAllSynced();
  for (const side of [a, b]) {
    await expect(side.runSummary()).toContainText(`7 of ${ANSWERABLE} answered`);
    await expect(side.runSummary()).not.toContainText('given twice');
    await expect(side.page.getByRole('group', { name: 'Two answers' })).toHaveCount(0);
    const pressed = async (prompt: string, answer: string) =>
      expect(side.item(prompt).getByRole('button', { name: answer, exact: true })).toHaveAttribute('aria-pressed', 'true');
    await pressed(ITEMS.issues, 'Yes');
    await pressed(ITEMS.parties, 'Yes');
    await pressed(ITEMS.scope, 'No');
    await pressed(ITEMS.processes, 'Yes');
    await pressed(ITEMS.involvement, 'Yes');
    await pressed(ITEMS.policy, 'N/A');
    await pressed(ITEMS.policyKnown, 'No');
    await expect(side.item(ITEMS.involvement)).toContainText('Aziz Auditor');
    await expect(side.item(ITEMS.issues)).toContainText('Ada Auditor');
  }
});

test('the score counts yes × weight over the maximum with N/A left out, and the run list shows it', async ({ context, server }) => {
  const app = await Fieldbook.open(context, server.url, 'auditor');
  await app.expectAllSynced();
  const audit = new Audit(app.page);
  await audit.openChecklists();
  await audit.startRun();
  await expect(audit.runSummary()).toContainText(`Score: 0 of ${MAX_POINTS} points (0 %)`);

  // Yes to 4.1 (weight 1) and 4.4 (weight 1), No to 4.2 (weight 1): 2 points; every
  // unanswered item still counts in the maximum.
  await audit.answer(ITEMS.issues, 'Yes');
  await audit.answer(ITEMS.parties, 'No');
  await audit.answer(ITEMS.processes, 'Yes');
  await expect(audit.runSummary()).toContainText(`Score: 2 of ${MAX_POINTS} points (4 %)`);

  // 4.3 is weight 2: "N/A" takes it out of the maximum; "No" would have kept it in.
  await audit.answer(ITEMS.scope, 'N/A');
  const max = MAX_POINTS - 2;
  await expect(audit.runSummary()).toContainText(`Score: 2 of ${max} points (${Math.round((2 * 100) / max)} %)`);
  await expect(audit.runSummary()).toContainText('pass mark 80 %');
  await expect(audit.runSummary().getByText('Fail', { exact: true })).toBeVisible();
  await expect(audit.runSummary()).toContainText(`4 of ${ANSWERABLE} answered`);

  await app.page.getByRole('link', { name: '← Checklists' }).click();
  await expect(audit.runs()).toContainText(`4 of ${ANSWERABLE} answered · score ${Math.round((2 * 100) / max)} % · fail`);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
