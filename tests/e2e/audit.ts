// A page object for checklists, runs, findings and corrective actions: what an
// auditor, a finding owner and an action owner see and do, by role and label.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';

/** The shipped ISO/IEC 20000-1 internal audit template's title. */
export const ISO_TEMPLATE = 'ISO/IEC 20000-1:2018 internal audit';

/** Prompts of the template's items used by the tests (section 4 and 5). */
export const ITEMS = {
  issues: 'Are the internal and external issues that affect the service management system identified and kept up to date?',
  parties: 'Are the interested parties and what they require of the services identified?',
  scope: 'Is the scope of the service management system written down, naming the services and who delivers them?',
  scopeServices: 'Which services does the scope document name?',
  processes: 'Are the processes of the service management system and how they interact described?',
  involvement: 'Can top management show how it takes part in the service management system?',
  policy: 'Is there a service management policy approved by top management?',
  policyKnown: 'Do the staff you interviewed know where the policy is and what it asks of them?',
};

/** Where the screenshots people review go: $FIELDBOOK_SCREENSHOTS, or the test's output folder. */
export function shot(testInfo: { project: { name: string }; outputPath: (name: string) => string }, name: string) {
  const dir = process.env.FIELDBOOK_SCREENSHOTS;
  const file = `${name}-${testInfo.project.name}.png`;
  if (!dir) return testInfo.outputPath(file);
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, file);
}

export class Audit {
  constructor(readonly page: Page) {}

  async openChecklists() {
    await this.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Checklists' }).click();
    await expect(this.page.getByRole('heading', { name: 'Checklists', level: 1 })).toBeVisible();
  }

  templates() {
    return this.page.getByRole('list', { name: 'Checklist templates' });
  }

  runs() {
    return this.page.getByRole('list', { name: 'Checklist runs' });
  }

  /** Taps "Start a run" on a template and waits for the run page. */
  async startRun(template = ISO_TEMPLATE) {
    await this.templates().getByRole('button', { name: `Start a run of ${template}` }).click();
    await expect(this.page).toHaveURL(/\/runs\//);
    await expect(this.page.getByRole('heading', { name: template, level: 1 })).toBeVisible();
  }

  async openRun(template = ISO_TEMPLATE) {
    await this.runs().getByRole('link', { name: new RegExp(escape(template)) }).first().click();
    await expect(this.page.getByRole('heading', { name: template, level: 1 })).toBeVisible();
  }

  /** Status, "N of M answered", score and verdict. */
  runSummary() {
    return this.page.getByRole('region', { name: 'Run summary' });
  }

  item(prompt: string): Locator {
    return this.page.getByRole('article', { name: prompt, exact: true });
  }

  /** Taps one of an item's answer buttons ("Yes", "No", "N/A", an option) and waits until it shows as chosen. */
  async answer(prompt: string, answer: string) {
    const button = this.item(prompt).getByRole('button', { name: answer, exact: true });
    await button.click();
    await expect(button).toHaveAttribute('aria-pressed', 'true');
  }

  /** Types into a number, text or date item and saves it. */
  async answerValue(prompt: string, value: string) {
    const item = this.item(prompt);
    await item.getByLabel('Answer', { exact: true }).fill(value);
    await item.getByRole('button', { name: 'Save answer' }).click();
    await expect(item.getByText('Answer: ')).toContainText(value);
  }

  async note(prompt: string, text: string) {
    await this.item(prompt).getByLabel('Note', { exact: true }).fill(text);
  }

  nextActions() {
    return this.page.getByRole('region', { name: 'Next actions' });
  }

  async tapAction(action: string) {
    await this.nextActions().getByRole('button', { name: action, exact: true }).click();
  }

  actionForm(action: string) {
    return this.page.getByRole('form', { name: action, exact: true });
  }

  findingSummary() {
    return this.page.getByRole('region', { name: 'Finding summary' });
  }

  evidence() {
    return this.page.getByRole('region', { name: 'Evidence' });
  }

  /** Adds a photo to an item's answer, as the camera would hand it over. */
  async addAnswerPhoto(prompt: string, png: Buffer) {
    const item = this.item(prompt);
    const before = await this.answerPhotos(prompt).getByRole('img').count();
    await item.getByLabel('Add photo').setInputFiles({ name: 'answer.png', mimeType: 'image/png', buffer: png });
    await expect(this.answerPhotos(prompt).getByRole('img')).toHaveCount(before + 1);
  }

  /** The photos of an item's answer. */
  answerPhotos(prompt: string) {
    return this.item(prompt).getByRole('list', { name: `Photos for: ${prompt}` });
  }

  /** Picks a demo user by login in a person list ("Owner"). */
  async pickPerson(scope: Locator, label: string, login: string) {
    const select = scope.getByLabel(label, { exact: true });
    const value = await select.locator('option', { hasText: `(${login},` }).getAttribute('value');
    expect(value, `${login} is among the people of the site`).toBeTruthy();
    await select.selectOption(value!);
  }

  /** Opens an action's form, fills it with `fill`, and sends it; waits for "recorded". */
  async perform(action: string, fill: (form: Locator) => Promise<void> = async () => {}) {
    await this.tapAction(action);
    const form = this.actionForm(action);
    await fill(form);
    await form.getByRole('button', { name: action, exact: true }).click();
    await expect(this.nextActions().getByRole('status')).toContainText(`${action} — recorded on this device`);
  }

  /** Taps a next action that needs nothing more and waits for "recorded". */
  async press(action: string) {
    await this.tapAction(action);
    await expect(this.nextActions().getByRole('status')).toContainText(`${action} — recorded on this device`);
  }

  // ----- corrective actions -----

  /** The finding page's corrective actions and verification. */
  correctiveActions() {
    return this.page.getByRole('region', { name: 'Corrective actions' });
  }

  /** Proposes a corrective action from the finding page. */
  async proposeAction(fields: { title: string; description?: string; steps: string[]; owner: string; due?: string }) {
    await this.correctiveActions().getByRole('button', { name: 'Add corrective action' }).click();
    const form = this.page.getByRole('form', { name: 'Add corrective action' });
    await form.getByLabel('Title').fill(fields.title);
    if (fields.description) await form.getByLabel('What will be done, and why').fill(fields.description);
    await form.getByLabel('Steps (one per line)').fill(fields.steps.join('\n'));
    await this.pickPerson(form, 'Owner', fields.owner);
    if (fields.due) await form.getByLabel('Due').fill(fields.due);
    await form.getByRole('button', { name: 'Add corrective action' }).click();
    await expect(form).toHaveCount(0);
    await expect(this.correctiveActions().getByRole('link', { name: new RegExp(escape(fields.title)) })).toBeVisible();
  }

  /** Opens a corrective action from the "Actions" section of the navigation. */
  async openAction(title: string) {
    await this.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Actions' }).click();
    await expect(this.page.getByRole('heading', { name: 'Corrective actions', level: 1 })).toBeVisible();
    await this.page.getByRole('list', { name: 'Corrective actions' }).getByRole('link', { name: new RegExp(escape(title)) }).click();
    await expect(this.page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
  }

  actionSummary() {
    return this.page.getByRole('region', { name: 'Corrective action summary' });
  }

  /** Opens a finding from the "Findings" section of the navigation. */
  async openFinding(text: string) {
    await this.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Findings' }).click();
    await this.page.getByRole('list', { name: 'Findings' }).getByRole('link', { name: new RegExp(escape(text)) }).click();
    await expect(this.findingSummary()).toBeVisible();
  }

  /** Adds evidence photos in an open action form. */
  async addFormPhoto(form: Locator, png: Buffer) {
    const before = await form.getByRole('img').count();
    await form.getByLabel('Add photo').setInputFiles({ name: 'evidence.png', mimeType: 'image/png', buffer: png });
    await expect(form.getByRole('img')).toHaveCount(before + 1);
  }

  async saveStatement(parts: { requirement?: string; gap?: string }) {
    if (parts.requirement !== undefined) await this.page.getByLabel('Requirement (what should be so)').fill(parts.requirement);
    if (parts.gap !== undefined) await this.page.getByLabel('Gap (where the two differ)').fill(parts.gap);
    await this.page.getByRole('button', { name: 'Save statement' }).click();
    await expect(this.page.getByRole('region', { name: 'Statement' }).getByRole('status')).toHaveText('Saved on this device');
  }
}

/** What the "New audit" form asks; the lead is the signed-in auditor unless the test picks. */
export type AuditPlan = {
  title: string;
  scope?: string;
  criteria?: string;
  clauses?: string;
  plannedFor?: string;
  /** Names as the team list shows them, e.g. "Aziz Auditor (auditor2)". */
  auditors?: string[];
  auditees?: string;
};

/** Audits: the list, the plan form, an audit's page and its report. */
export class Audits {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audits' }).click();
    await expect(this.page.getByRole('heading', { name: 'Audits', level: 1 })).toBeVisible();
  }

  list() {
    return this.page.getByRole('list', { name: 'Audits' });
  }

  /** Fills the "New audit" form and plans it; waits for the audit's page. */
  async plan(plan: AuditPlan) {
    await this.page.getByRole('link', { name: 'New audit' }).click();
    const form = this.page.getByRole('form', { name: 'New audit' });
    await form.getByLabel('Title').fill(plan.title);
    await form.getByLabel('Scope (what the audit covers)').fill(plan.scope ?? 'Incident and service request management');
    await form.getByLabel('Criteria (what it is checked against)').fill(plan.criteria ?? 'ISO/IEC 20000-1:2018 and the service management plan');
    await form.getByLabel('Clauses (for example 8.7.3, 9.2)').fill(plan.clauses ?? '4.2, 8.6');
    if (plan.plannedFor) await form.getByLabel('Planned for').fill(plan.plannedFor);
    for (const auditor of plan.auditors ?? []) await form.getByLabel(auditor).check();
    await form.getByLabel('Auditees (one per line)').fill(plan.auditees ?? 'Service desk lead');
    await form.getByRole('button', { name: 'Plan the audit' }).click();
    await expect(this.page.getByRole('heading', { name: plan.title, level: 1 })).toBeVisible();
  }

  async openAudit(title: string) {
    await this.list().getByRole('link', { name: new RegExp(escape(title)) }).click();
    await expect(this.page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
  }

  /** Status, scope, criteria, clauses, dates, auditees. */
  summary() {
    return this.page.getByRole('region', { name: 'Audit summary' });
  }

  async expectStatus(status: string) {
    await expect(this.summary().getByText(status, { exact: true })).toBeVisible();
  }

  team() {
    return this.page.getByRole('region', { name: 'Audit team' });
  }

  member(name: string) {
    return this.team().getByRole('listitem').filter({ hasText: name });
  }

  nextActions() {
    return this.page.getByRole('region', { name: 'Next actions' });
  }

  async tapAction(action: string) {
    await this.nextActions().getByRole('button', { name: action, exact: true }).click();
  }

  async declareIndependence(statement: string) {
    await this.tapAction('Declare independence');
    const form = this.page.getByRole('form', { name: 'Declare independence' });
    await form.getByLabel('Statement').fill(statement);
    await form.getByRole('button', { name: 'Declare independence' }).click();
    await expect(this.nextActions().getByRole('status')).toContainText('Declare independence — recorded on this device');
  }

  /** Opens the issue form, writes the report, and issues it (core may refuse: the caller checks). */
  async issueReport(report: { summary: string; conclusion: string; distribution?: string }) {
    await this.tapAction('Issue the report');
    const form = this.page.getByRole('form', { name: 'Issue the report' });
    await form.getByLabel('Summary').fill(report.summary);
    await form.getByLabel('Conclusion').fill(report.conclusion);
    if (report.distribution) await form.getByLabel('Distribution (one per line)').fill(report.distribution);
    await form.getByRole('button', { name: 'Issue the report' }).click();
  }

  runs() {
    return this.page.getByRole('list', { name: 'Runs of this audit' });
  }

  findings() {
    return this.page.getByRole('list', { name: 'Findings of this audit' });
  }

  async startRun() {
    await this.page.getByRole('region', { name: 'Audit runs' }).getByRole('button', { name: 'Start a run' }).click();
    await expect(this.page).toHaveURL(/\/runs\//);
    await expect(this.page.getByRole('heading', { name: ISO_TEMPLATE, level: 1 })).toBeVisible();
  }

  async openReport() {
    await this.page.getByRole('link', { name: 'Open the report' }).click();
    await expect(this.report()).toBeVisible();
  }

  report() {
    return this.page.getByRole('article', { name: 'Audit report' });
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
