// A page object for checklist templates: the list on /checklists with each
// template's versions, "Edit" and "New template", and the editor of a draft.
import { expect, type Locator, type Page } from '@playwright/test';
import { Audit } from './audit';

export class Templates extends Audit {
  constructor(page: Page) {
    super(page);
  }

  /** The card of a template in the list. */
  card(title: string): Locator {
    return this.templates().getByRole('listitem').filter({ has: this.page.getByText(title, { exact: true }) });
  }

  /** Taps "Edit" (or "Edit draft") on a template and waits for its draft in the editor. */
  async edit(title: string, version: number) {
    await this.templates().getByRole('button', { name: new RegExp(`^Edit (draft )?${escape(title)}$`) }).click();
    await expect(this.page).toHaveURL(/\/templates\//);
    await expect(this.head()).toContainText(`Version ${version} · Draft`);
  }

  head() {
    return this.page.locator('header.record-head');
  }

  section(n: number): Locator {
    return this.page.getByRole('region', { name: new RegExp(`^Section ${n}: `) });
  }

  /** The open item editor. */
  openItem(): Locator {
    return this.page.getByRole('group', { name: /^Item \d+\.\d+ / });
  }

  /** Fills a field of the open item and leaves it, which saves it. */
  async setField(label: string, value: string) {
    const field = this.openItem().getByLabel(label, { exact: true });
    await field.fill(value);
    await field.press('Tab');
    await this.expectSaved();
  }

  async expectSaved() {
    await expect(this.page.getByRole('status').filter({ hasText: 'Saved on this device' })).toBeVisible();
  }

  async publish() {
    await this.page.getByRole('button', { name: 'Publish', exact: true }).click();
  }
}

function escape(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
