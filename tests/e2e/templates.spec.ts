// Checklist templates for auditors and admins: a published version never
// changes, "Edit" makes version n+1 as a draft, the draft is edited offline
// (an item with a clause and a flagged option), core refuses to publish what
// is not a template and says where, and once published new runs start from
// it while old runs keep the version they started from. Technicians see the
// templates and their versions, without edit buttons.
import { test, expect } from './fixtures';
import { Fieldbook } from './app';
import { ISO_TEMPLATE, shot } from './audit';
import { Templates } from './templates';

test.use({ serverOptions: { demo: true } });

/** Items of the shipped template that take an answer. */
const ANSWERABLE = 51;
const NEW_PROMPT = 'Is the service management policy reviewed at least once a year?';

test('an auditor offline edits the ISO template into version 2, publishes it, and new runs ask the new item @phone', async ({ context, server, browser }, testInfo) => {
  const app = await Fieldbook.open(context, server.url, 'auditor');
  await app.expectAllSynced();
  const t = new Templates(app.page);
  await t.openChecklists();
  await expect(t.card(ISO_TEMPLATE)).toContainText('Version 1 · Published');

  // 1. On site with no network: a run of version 1 is already under way.
  await context.setOffline(true);
  await app.expectOffline(0);
  await t.startRun();
  await expect(t.runSummary()).toContainText(`0 of ${ANSWERABLE} answered`);
  await t.openChecklists();

  // 2. "Edit" on the published version makes version 2, a draft; version 1 stays.
  await t.edit(ISO_TEMPLATE, 2);
  await app.page.screenshot({ path: shot(testInfo, 'template-draft'), fullPage: false });

  // 3. Add an item to section 2 (5 Leadership): a single choice with a clause and a flagged option.
  const leadership = t.section(2);
  await expect(leadership).toBeVisible();
  await leadership.getByRole('button', { name: 'Add item to section 2' }).click();
  await expect(t.openItem()).toBeVisible();
  await t.setField('Prompt (the question)', NEW_PROMPT);
  await t.openItem().getByLabel('Kind of answer').selectOption({ label: 'Single choice' });
  await expect(t.openItem().getByLabel('Option 2 label')).toBeVisible();
  await t.setField('Option 1 label', 'Every year');
  await t.setField('Option 2 label', 'Less often');
  await t.openItem().getByRole('button', { name: 'Add option' }).click();
  await t.setField('Option 3 label', 'Never');
  await t.openItem().getByLabel('Option 3: flag (suggests a finding)').check();
  await t.expectSaved();

  // 4. A clause core does not know: publishing is refused, the reason stands at the item.
  await t.setField('Clause (e.g. 8.7.3)', '12.1');
  await t.publish();
  await expect(t.openItem().getByRole('alert')).toContainText('`12.1` is not a clause of ISO/IEC 20000-1');
  await expect(app.page.locator('.publish-bar').getByRole('alert')).toContainText('12.1');
  await expect(t.head()).toContainText('Version 2 · Draft');
  await t.openItem().scrollIntoViewIfNeeded();
  await app.page.screenshot({ path: shot(testInfo, 'template-refused'), fullPage: false });

  // 5. Fixed, the message goes; published, the version becomes read-only.
  await t.setField('Clause (e.g. 8.7.3)', '5.2');
  await expect(t.openItem().getByRole('alert')).toHaveCount(0);
  await t.openItem().getByRole('button', { name: 'Done' }).click();
  await expect(leadership).toContainText(NEW_PROMPT);
  await expect(leadership).toContainText('clause 5.2');
  await expect(leadership).toContainText('Never 0, flagged');
  await t.publish();
  await expect(t.head()).toContainText('Version 2 · Published');
  await expect(app.page.getByRole('button', { name: 'Publish', exact: true })).toHaveCount(0);
  await expect(app.page.getByRole('textbox')).toHaveCount(0);

  // 6. The list shows both versions; new runs start from version 2 and ask the new item.
  await t.openChecklists();
  const card = t.card(ISO_TEMPLATE);
  await expect(card).toContainText('Version 2 · Published · runs start here');
  await expect(card).toContainText('Version 1 · Published');
  await app.page.screenshot({ path: shot(testInfo, 'template-list'), fullPage: false });
  await t.startRun();
  await expect(t.runSummary()).toContainText(`0 of ${ANSWERABLE + 1} answered`);
  await expect(t.item(NEW_PROMPT)).toBeVisible();
  await t.answer(NEW_PROMPT, 'Never');
  await expect(t.item(NEW_PROMPT).getByText('Flagged')).toBeVisible();

  // 7. The run started before keeps version 1: no new item.
  await t.openChecklists();
  await t.runs().getByRole('link', { name: new RegExp(ISO_TEMPLATE.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) }).last().click();
  await expect(t.runSummary()).toContainText(`0 of ${ANSWERABLE} answered`);
  await expect(t.item(NEW_PROMPT)).toHaveCount(0);

  // 8. Back online, the server takes the auditor's template; a technician gets version 2, read-only.
  await context.setOffline(false);
  await app.expectAllSynced();
  const tech = await Fieldbook.open(await browser.newContext({ viewport: app.page.viewportSize() }), server.url, 'tech');
  await tech.expectAllSynced();
  const seen = new Templates(tech.page);
  await seen.openChecklists();
  await expect(seen.card(ISO_TEMPLATE)).toContainText('Version 2 · Published · runs start here');
  await expect(seen.templates().getByRole('button', { name: /^Edit/ })).toHaveCount(0);
  await expect(tech.page.getByRole('button', { name: 'New template' })).toHaveCount(0);
  await seen.card(ISO_TEMPLATE).getByRole('link', { name: /Version 2/ }).click();
  await expect(seen.head()).toContainText('Version 2 · Published');
  await expect(seen.section(2)).toContainText(NEW_PROMPT);
  await expect(tech.page.getByRole('button', { name: 'Publish', exact: true })).toHaveCount(0);
  await expect(tech.page.getByRole('textbox')).toHaveCount(0);
});

test('an auditor writes a new template, reorders its sections, and an unfinished item keeps it from being published', async ({ context, server }, testInfo) => {
  const app = await Fieldbook.open(context, server.url, 'auditor');
  await app.expectAllSynced();
  const t = new Templates(app.page);
  await t.openChecklists();
  await app.page.getByRole('button', { name: 'New template' }).click();
  await app.page.getByLabel('Title of the new template').fill('Server room weekly check');
  await app.page.getByRole('button', { name: 'Create draft' }).click();
  await expect(t.head()).toContainText('Version 1 · Draft');

  // A second section, renamed and moved above the first.
  await app.page.getByRole('button', { name: 'Add section' }).click();
  const title = app.page.getByLabel('Section 2 title');
  await title.fill('Power');
  await title.press('Tab');
  await t.expectSaved();
  await app.page.getByRole('button', { name: 'Move section 2 up' }).click();
  await expect(t.section(1)).toHaveAccessibleName('Section 1: Power');

  // An item without its prompt is kept, but publishing says what is missing, where.
  await t.section(1).getByRole('button', { name: 'Add item to section 1' }).click();
  await t.expectSaved();
  await t.openItem().getByRole('button', { name: 'Done' }).click();
  await t.publish();
  await expect(t.section(1).getByRole('alert')).toContainText('needs a prompt');
  await app.page.screenshot({ path: shot(testInfo, 'template-new-refused'), fullPage: true });

  // Nothing typed is lost: after a reload the unfinished draft is as it was.
  await app.page.reload();
  await expect(t.section(1)).toContainText('New item: no prompt yet');
  await t.section(1).getByRole('button', { name: /^Edit item 1\.1/ }).click();
  await t.setField('Prompt (the question)', 'Is the UPS load under 80 %?');
  await t.publish();
  await expect(t.head()).toContainText('Version 1 · Published');
  await t.openChecklists();
  await expect(t.card('Server room weekly check')).toContainText('Version 1 · Published · runs start here');
});
