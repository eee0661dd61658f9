// A page object for checklists, runs and findings: what an auditor sees and
// does, by role and label.
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
