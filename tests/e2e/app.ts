// A page object for Fieldbook: what a person sees and does, by role and label.
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { DEMO_PASSWORD, signIn } from './fixtures';

export class Fieldbook {
  constructor(readonly page: Page) {}

  /**
   * A new page of `context`, signed in as `login` (a demo user), on the incident list. `null`
   * skips signing in, for a server without sign-in (the JavaScript sync server of the interop
   * tests).
   */
  static async open(context: BrowserContext, url: string, login: string | null = 'tech'): Promise<Fieldbook> {
    if (login !== null) await signIn(context, url, login);
    const page = await context.newPage();
    const app = new Fieldbook(page);
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Incidents' })).toBeVisible();
    return app;
  }

  /** Signs in through the sign-in page, as a person does. */
  async signIn(login = 'tech', password = DEMO_PASSWORD) {
    await expect(this.page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await this.page.getByLabel('Login').fill(login);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(this.page.getByRole('heading', { name: 'Incidents' })).toBeVisible();
  }

  get strip() {
    return this.page.getByRole('status', { name: 'Sync status' });
  }

  /** Online, every document exchanged with the server, nothing waiting. */
  async expectAllSynced() {
    await expect(this.strip).toContainText('Online');
    await expect(this.strip).toContainText('Up to date');
    await expect(this.strip).toContainText('All changes are on the server');
  }

  async expectOffline(pending: number) {
    await expect(this.strip).toContainText('Offline');
    const text = pending === 1 ? '1 change not yet on the server' : `${pending} changes not yet on the server`;
    await expect(this.strip).toContainText(pending === 0 ? 'All changes are on the server' : text);
  }

  /** Waits until the service worker controls the page, so a reload works offline. */
  async waitForOfflineShell() {
    await this.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) =>
          navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
        );
      }
    });
  }

  incidentList() {
    return this.page.getByRole('list', { name: 'Incidents' });
  }

  incidentLink(title: string) {
    return this.incidentList().getByRole('link', { name: new RegExp(escape(title)) });
  }

  async goToList() {
    await this.page.getByRole('link', { name: '← Incidents' }).click();
    await expect(this.page.getByRole('heading', { name: 'Incidents' })).toBeVisible();
  }

  async createIncident(fields: { title: string; description?: string; impact?: number; urgency?: number }) {
    await this.page.getByRole('link', { name: 'New incident' }).click();
    await this.page.getByLabel('Title').fill(fields.title);
    if (fields.description) await this.page.getByLabel('Description').fill(fields.description);
    if (fields.impact) await this.page.getByLabel('Impact').selectOption(String(fields.impact));
    if (fields.urgency) await this.page.getByLabel('Urgency').selectOption(String(fields.urgency));
    await this.page.getByRole('button', { name: 'Save incident' }).click();
    await expect(this.page.getByText('Saved on this device')).toBeVisible();
    await expect(this.page.getByRole('heading', { name: fields.title })).toBeVisible();
  }

  async openIncident(title: string) {
    await this.incidentLink(title).click();
    await expect(this.page.getByLabel('Title')).toHaveValue(title);
  }

  async editIncident(fields: { title?: string; impact?: number; urgency?: number; description?: string }) {
    if (fields.title !== undefined) await this.page.getByLabel('Title').fill(fields.title);
    if (fields.description !== undefined) await this.page.getByLabel('Description').fill(fields.description);
    if (fields.impact) await this.page.getByLabel('Impact').selectOption(String(fields.impact));
    if (fields.urgency) await this.page.getByLabel('Urgency').selectOption(String(fields.urgency));
    await this.page.getByRole('button', { name: 'Save changes' }).click();
    await expect(this.page.getByRole('status').filter({ hasText: 'Saved on this device' })).toBeVisible();
  }

  // ----- working an incident (the incident page) -----

  /** Title line, status, hold reason and assignment of the open incident or service request. */
  incidentSummary() {
    return this.page.getByRole('region', { name: /^(Incident|Service request) summary$/ });
  }

  nextActions() {
    return this.page.getByRole('region', { name: 'Next actions' });
  }

  /** The inline form a next action opens, named after the action. */
  actionForm(action: string) {
    return this.page.getByRole('form', { name: action, exact: true });
  }

  /** Taps a next-action button; one that needs input opens its form. */
  async tapAction(action: string) {
    await this.nextActions().getByRole('button', { name: action, exact: true }).click();
  }

  /** One SLA clock: 'First response' or 'Resolution'. */
  slaClock(name: 'First response' | 'Resolution') {
    return this.page.getByRole('group', { name, exact: true });
  }

  /** The marker shown while the SLA depends on changes the server has not confirmed. */
  slaProvisional() {
    return this.page.getByText('Provisional', { exact: true });
  }

  async assign(group: string, assignee?: string) {
    await this.tapAction('Assign');
    const form = this.actionForm('Assign');
    await form.getByLabel('Group').fill(group);
    if (assignee) await form.getByLabel('Assignee').fill(assignee);
    await form.getByRole('button', { name: 'Assign', exact: true }).click();
    await expect(this.incidentSummary()).toContainText(`Assigned to ${group}`);
  }

  async hold(reason: string) {
    await this.tapAction('Put on hold');
    const form = this.actionForm('Put on hold');
    const select = form.getByLabel('Waiting for');
    const option = select.getByRole('option', { name: new RegExp(`^${escape(reason)}`) });
    await select.selectOption({ label: (await option.textContent()) ?? reason });
    await form.getByRole('button', { name: 'Put on hold', exact: true }).click();
    await expect(this.incidentSummary()).toContainText(`On hold · ${reason}`);
  }

  async resolve(code: string, notes: string) {
    await this.tapAction('Resolve');
    const form = this.actionForm('Resolve');
    await form.getByLabel('Resolution code').selectOption({ label: code });
    await form.getByLabel('Resolution notes').fill(notes);
    await form.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect(this.incidentSummary()).toContainText('Resolved');
  }

  workNotes() {
    return this.page.getByRole('list', { name: 'Work notes, newest first' });
  }

  async addWorkNote(text: string) {
    await this.page.getByLabel('New work note').fill(text);
    await this.page.getByRole('button', { name: 'Add note' }).click();
    await expect(this.workNotes().getByRole('listitem').first()).toContainText(text);
  }

  // ----- photos -----

  /** The incident's photo strip. */
  photoStrip() {
    return this.page.getByRole('list', { name: 'Photos, newest first' });
  }

  /** A photo in the strip, by its caption ('Photo' when it has none). */
  photo(caption: string) {
    return this.photoStrip().getByRole('img', { name: caption, exact: true });
  }

  /** Adds a photo as the camera would hand it over, with an optional caption. */
  async addPhoto(png: Buffer, caption: string) {
    if (caption) await this.page.getByLabel('Caption for the next photo (optional)').fill(caption);
    await this.page.getByLabel('Add photo').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
    await expect(this.page.getByRole('status').filter({ hasText: 'Photo saved on this device' })).toBeVisible();
  }

  // ----- the customer's signature -----

  /** The incident's signature section. */
  signatures() {
    return this.page.getByRole('region', { name: 'Customer signature' });
  }

  signaturePad() {
    return this.page.getByRole('img', { name: 'Signature pad: the customer signs here' });
  }

  /** A recorded signature's picture, by who signed. */
  signatureImage(signer: string) {
    return this.signatures().getByRole('img', { name: `Signature of ${signer}`, exact: true });
  }

  /** Draws a signature-like scribble on the pad with the mouse (pointer events, as a finger makes). */
  async drawSignature() {
    const box = await this.signaturePad().boundingBox();
    if (!box) throw new Error('the signature pad is not on screen');
    // In the middle of the screen, as a person holds the tablet out to the customer.
    await this.signaturePad().evaluate((e) => e.scrollIntoView({ block: 'center' }));
    const at = async (fx: number, fy: number) => {
      const now = await this.signaturePad().boundingBox();
      if (!now) throw new Error('the signature pad left the screen');
      return [now.x + now.width * fx, now.y + now.height * fy] as const;
    };
    const [x0, y0] = await at(0.1, 0.6);
    await this.page.mouse.move(x0, y0);
    await this.page.mouse.down();
    for (let i = 1; i <= 24; i++) {
      const fx = 0.1 + (0.8 * i) / 24;
      const fy = 0.5 + 0.25 * Math.sin(i / 2);
      const [x, y] = await at(fx, fy);
      await this.page.mouse.move(x, y, { steps: 2 });
    }
    await this.page.mouse.up();
  }

  /** Draws a signature, names the signer and saves it. */
  async sign(signer: string) {
    await this.drawSignature();
    await this.signatures().getByLabel('Name of the person signing').fill(signer);
    await this.signatures().getByRole('button', { name: 'Save signature' }).click();
    await expect(this.signatures().getByRole('status')).toHaveText('Signature saved on this device');
  }

  needsReview() {
    return this.page.getByRole('region', { name: 'Needs review' });
  }

  /** Opens the collapsed history and returns its list of changes. */
  async openHistory() {
    await this.page.getByText(/^History/).click();
    return this.page.getByRole('list', { name: 'Changes, newest first' });
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
