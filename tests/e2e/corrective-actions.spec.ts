// Findings to corrective actions to verification (ISO/IEC 20000-1 10.1), with four
// people on four devices syncing through the real server: an auditor raises a finding
// from a "No" with a photo, the finding's owner plans a corrective action for a
// technician, the technician carries it out with evidence, may not verify it
// (impartiality), and a second auditor verifies it effective; the finding closes.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';
import { Audit, ITEMS, shot } from './audit';
import { png } from './images';

test.use({ serverOptions: { demo: true } });

const GAP = 'Suppliers and regulators are not named as interested parties.';
const ACTION = 'Register every interested party and review it quarterly';
const STEPS = ['Draft the register of interested parties', 'Have top management approve the register'];

test('a finding raised from a No with a photo gets a corrective action; its owner may not verify; a third person verifies it effective and the finding closes @phone', async ({ browser, server }, testInfo) => {
  test.setTimeout(240_000);

  // 1. Ada (auditor) answers "No" and adds a photo to the answer, then raises a finding from it.
  const ada = await Fieldbook.open(await browser.newContext(), server.url, 'auditor');
  const a = new Audit(ada.page);
  await ada.expectAllSynced();
  await a.openChecklists();
  await a.startRun();
  await a.answer(ITEMS.parties, 'No');
  await a.addAnswerPhoto(ITEMS.parties, png(1200, 900));
  await expect(a.answerPhotos(ITEMS.parties).getByRole('img', { name: ITEMS.parties })).toBeVisible();
  await a.item(ITEMS.parties).getByRole('button', { name: 'Raise a finding' }).click();
  await expect(ada.page).toHaveURL(/\/findings\//);
  // The answer's photo is the finding's evidence, shown on the finding.
  const photo = a.evidence().getByRole('img', { name: ITEMS.parties });
  await expect(photo).toBeVisible();
  expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1200);

  // 2. Ada completes the statement, issues the finding and gives it to Mia (manager).
  await a.saveStatement({ requirement: 'Interested parties and their requirements are determined (4.2).', gap: GAP });
  await a.press('Issue');
  await a.perform('Change owner', (form) => a.pickPerson(form, 'Owner', 'manager'));
  await expect(a.findingSummary()).toContainText('Mia Manager');
  await expect(a.findingSummary()).toContainText('Issued');
  await ada.expectAllSynced();

  // 3. Mia, the finding's owner, on her phone: the photo reached her device; she works the
  //    finding to a plan and proposes a corrective action owned by Tess (technician).
  const mia = await Fieldbook.open(await browser.newContext(), server.url, 'manager');
  const m = new Audit(mia.page);
  await mia.expectAllSynced();
  await m.openFinding(GAP);
  await expect(m.evidence().getByRole('img', { name: ITEMS.parties })).toBeVisible();
  await m.press('Acknowledge');
  await m.perform('Record correction', (form) =>
    form.getByLabel('What was done to contain it').fill('The two main suppliers were added to the contact list.'));
  await m.perform('Record root cause and plan', async (form) => {
    await form.getByLabel('Method (five whys, fishbone, …)').fill('Five whys');
    await form.getByLabel('Analysis', { exact: true }).fill('No one owns the list of interested parties.');
    await form.getByLabel('Similar cases elsewhere').fill('None found at the other sites.');
  });
  await m.proposeAction({ title: ACTION, description: 'So that no party is missed again.', steps: STEPS, owner: 'tech', due: '2026-12-15' });
  const listed = m.correctiveActions().getByRole('link', { name: new RegExp(ACTION) });
  await expect(listed).toContainText('Proposed');
  await expect(listed).toContainText('Owner Tess Technician · due 2026-12-15');
  await m.press('Start action');
  await expect(m.findingSummary()).toContainText('Action in progress');
  // Only a manager approves a corrective action: Mia does.
  await listed.click();
  await expect(m.actionSummary()).toContainText('Tess Technician');
  await expect(m.page.getByRole('region', { name: 'Steps' })).toContainText(STEPS[0]);
  await m.press('Approve');
  await expect(m.actionSummary()).toContainText('Approved');
  await mia.expectAllSynced();

  // 4. Tess (the action's owner) finds it under "Actions" and carries it out with evidence.
  const tess = await Fieldbook.open(await browser.newContext(), server.url, 'tech');
  const t = new Audit(tess.page);
  await tess.expectAllSynced();
  await t.openAction(ACTION);
  await t.press('Start');
  await t.perform('Mark step done', async (form) => {
    await form.getByLabel('Step', { exact: true }).selectOption({ label: STEPS[0] });
    await form.getByLabel('Evidence the step is done').fill('Register v1 in the SMS library.');
  });
  await t.perform('Mark step done', async (form) => {
    await form.getByLabel('Step', { exact: true }).selectOption({ label: STEPS[1] });
    await t.addFormPhoto(form, png(640, 480));
  });
  // Core's guard, in its words: implementing needs evidence.
  await t.tapAction('Mark implemented');
  const implemented = t.actionForm('Mark implemented');
  await implemented.getByRole('button', { name: 'Mark implemented' }).click();
  await expect(implemented.getByRole('alert')).toHaveText('Implementing needs evidence that the action was carried out.');
  await implemented.getByLabel('Evidence the action was carried out').fill('Register approved at the management meeting of 2 December.');
  await t.addFormPhoto(implemented, png(800, 600));
  await implemented.getByRole('button', { name: 'Mark implemented' }).click();
  await expect(t.nextActions().getByRole('status')).toContainText('Mark implemented — recorded on this device');
  await t.perform('Plan effectiveness check', async (form) => {
    await form.getByLabel('What will show the action worked').fill('The next audit finds every party in the register.');
    await form.getByLabel('Check due').fill('2027-03-01');
  });
  await expect(t.actionSummary()).toContainText('Effectiveness check due');
  const steps = t.page.getByRole('region', { name: 'Steps' });
  await expect(steps).toContainText('Done by Tess Technician');
  await expect(steps.getByRole('img')).toHaveCount(1);
  await expect(t.page.getByRole('region', { name: 'Implementation' }).getByRole('img')).toHaveCount(1);
  // The owner is offered no effectiveness check of her own action.
  await expect(t.nextActions().getByRole('button', { name: 'Record effectiveness check' })).toHaveCount(0);
  await tess.page.screenshot({ path: shot(testInfo, 'action-page'), fullPage: true });

  // 5. Tess submits the finding for verification, then tries to verify it herself: refused.
  await t.openFinding(GAP);
  await t.press('Submit for verification');
  await expect(t.findingSummary()).toContainText('Awaiting verification');
  await t.tapAction('Verify');
  const selfCheck = t.actionForm('Verify');
  await selfCheck.getByLabel('Evidence that the actions worked').fill('Looks done to me.');
  await selfCheck.getByRole('button', { name: 'Verify' }).click();
  await expect(selfCheck.getByRole('alert')).toHaveText(
    "Tess Technician owns one of this finding's corrective actions and so cannot verify it: verification must be impartial, so ask someone who owns neither the finding nor any of its corrective actions.",
  );
  await selfCheck.getByRole('button', { name: 'Back' }).click();
  await expect(t.findingSummary()).toContainText('Awaiting verification');
  await tess.expectAllSynced();

  // 6. Aziz (second auditor) checks the action and verifies the finding effective, with evidence.
  const aziz = await Fieldbook.open(await browser.newContext(), server.url, 'auditor2');
  const z = new Audit(aziz.page);
  await aziz.expectAllSynced();
  await z.openAction(ACTION);
  await z.perform('Record effectiveness check', async (form) => {
    await form.getByLabel('Evidence that the action worked').fill('Register lists suppliers, regulators and customers.');
    await form.getByLabel('Notes').fill('Sampled three parties; all present.');
  });
  await expect(z.actionSummary()).toContainText('Verified effective');
  await z.press('Close');
  await expect(z.actionSummary()).toContainText('Closed');
  await z.openFinding(GAP);
  await z.tapAction('Verify');
  const verify = z.actionForm('Verify');
  // Effective needs evidence: core says so.
  await verify.getByRole('button', { name: 'Verify' }).click();
  await expect(verify.getByRole('alert')).toHaveText('Closing a finding needs at least one piece of evidence that the actions worked.');
  await verify.getByLabel('Evidence that the actions worked').fill('Register checked against the contracts list.');
  await z.addFormPhoto(verify, png(640, 480));
  await verify.getByRole('button', { name: 'Verify' }).click();
  await expect(z.findingSummary()).toContainText('Closed');
  await expect(z.correctiveActions()).toContainText('Effective by Aziz Auditor');
  await expect(z.correctiveActions().getByRole('img')).toHaveCount(1);
  await aziz.expectAllSynced();
  await aziz.page.screenshot({ path: shot(testInfo, 'finding-closed'), fullPage: true });

  // 7. Ada's device, which raised it, sees the finding closed and the action closed.
  await expect(a.findingSummary()).toContainText('Closed', { timeout: 20_000 });
  await expect(a.correctiveActions().getByRole('link', { name: new RegExp(ACTION) })).toContainText('Closed');
});

test('a photo item is answered by its photo, and a finding takes more photos offline that reach the server later', async ({ context, server }) => {
  const app = await Fieldbook.open(context, server.url, 'auditor');
  const a = new Audit(app.page);
  await app.expectAllSynced();
  await a.openChecklists();
  await a.startRun();
  const register = 'Take a photo of the document register or its index page.';
  await expect(a.item(register).getByText('Answer: ')).toHaveCount(0);
  await a.addAnswerPhoto(register, png(400, 300));
  await expect(a.item(register).getByText('Answer: ')).toContainText('Photo');
  await expect(a.answerPhotos(register).getByRole('img')).toHaveCount(1);

  // A yes/no question takes photos once it is answered.
  await expect(a.item(ITEMS.scope).getByLabel('Add photo')).toHaveCount(0);
  await a.answer(ITEMS.scope, 'No');
  await context.setOffline(true);
  await a.item(ITEMS.scope).getByRole('button', { name: 'Raise a finding' }).click();
  await expect(a.evidence().getByRole('img')).toHaveCount(0);
  await app.page.getByLabel('Caption for the next photo (optional)').fill('Scope page without services');
  await a.evidence().getByLabel('Add photo').setInputFiles({ name: 'scope.png', mimeType: 'image/png', buffer: png(300, 200) });
  await expect(a.evidence().getByRole('img', { name: 'Scope page without services' })).toBeVisible();
  await expect(a.evidence()).toContainText('not yet on the server');
  await context.setOffline(false);
  await app.expectAllSynced();
  await expect(a.evidence().getByText('not yet on the server')).toHaveCount(0);
});
