// An audit moves between two Fieldbooks as one file: an auditor of the demo Fieldbook exports
// an audit with a finding raised from a No with a photo and a corrective action for it; an auditor of a second, fresh
// Fieldbook (its own server process and database, another organisation and site) imports it,
// and the audit, its run, its finding, its action and the photo are there, offline too, and reach that
// Fieldbook's server. A damaged file and a file that is no export are refused in words, and
// nothing is added.
import * as fs from 'node:fs';
import { test, expect, DEMO_PASSWORD } from './fixtures';
import { Fieldbook } from './app';
import { Audit, Audits, ISO_TEMPLATE, ITEMS, shot } from './audit';
import { blobKeys, png } from './images';

const TITLE = 'Service desk audit, demo site';
const ACTION = 'Keep a register of interested parties';

test.use({
  serverOptions: { demo: true },
  secondServerOptions: {
    setup: [
      { args: ['org', 'add', 'acme', 'Acme Logistics'] },
      { args: ['site', 'add', '--org', 'acme', 'harbour', 'Harbour depot'] },
      {
        args: ['user', 'add', '--org', 'acme', '--login', 'ines', '--name', 'Ines Importer', '--role', 'auditor', '--site', 'harbour'],
        input: `${DEMO_PASSWORD}\n`,
      },
    ],
  },
});

test('an audit with a finding, its corrective action and its photo is exported as one file and imported into another Fieldbook, where it shows offline and syncs; bad files are refused @phone', async ({ browser, server, secondServer }, testInfo) => {
  test.setTimeout(180_000);

  // 1. Ada (auditor, demo Fieldbook) plans an audit, runs the ISO checklist for it, answers No
  //    with a photo and raises a finding from it; everything reaches her server.
  const ada = await Fieldbook.open(await browser.newContext(), server.url, 'auditor');
  await ada.expectAllSynced();
  const audits = new Audits(ada.page);
  const checklist = new Audit(ada.page);
  await audits.open();
  await audits.plan({ title: TITLE });
  await audits.declareIndependence('I do not work on the service desk.');
  await audits.tapAction('Start preparation');
  await audits.tapAction('Start fieldwork');
  await audits.expectStatus('Fieldwork');
  await audits.startRun();
  await checklist.answer(ITEMS.parties, 'No');
  await checklist.addAnswerPhoto(ITEMS.parties, png(1200, 900));
  await checklist.item(ITEMS.parties).getByRole('button', { name: 'Raise a finding' }).click();
  await expect(checklist.evidence().getByRole('img', { name: ITEMS.parties })).toBeVisible();
  //    She proposes a corrective action for it, owned by Tess.
  await checklist.proposeAction({ title: ACTION, steps: ['Draft the register of interested parties'], owner: 'tech' });
  await ada.expectAllSynced();
  const photos = await blobKeys(ada);
  expect(photos).toHaveLength(1);

  // 2. She exports it from the audit's page: one .fieldbook file.
  await audits.open();
  await audits.openAudit(TITLE);
  await expect(audits.findings()).toContainText('Minor nonconformity');
  const exportSection = ada.page.getByRole('region', { name: 'Export' });
  const [download] = await Promise.all([
    ada.page.waitForEvent('download'),
    exportSection.getByRole('button', { name: 'Export audit' }).click(),
  ]);
  const today = new Date().toLocaleDateString('sv-SE'); // YYYY-MM-DD, the device's day
  expect(download.suggestedFilename()).toBe(`audit-service-desk-audit-demo-site-${today}.fieldbook`);
  await expect(exportSection.getByRole('status')).toContainText(
    '1 audit, 1 run, 1 finding, 1 corrective action, 1 photo',
  );
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 17).toString('latin1')).toBe('FIELDBOOK-BUNDLE\n');
  await ada.page.screenshot({ path: shot(testInfo, 'audit-export'), fullPage: true });

  // 3. Ines (auditor of another Fieldbook, another organisation and site) has no such audit.
  const inesDevice = await browser.newContext();
  const ines = await Fieldbook.open(inesDevice, secondServer.url, 'ines');
  await ines.expectAllSynced();
  const imports = new Audits(ines.page);
  await imports.open();
  await expect(ines.page.getByText('No audits on this device yet.')).toBeVisible();
  const form = ines.page.getByRole('form', { name: 'Import an audit' });
  await expect(form).toContainText('Into site: Harbour depot');

  // 4. Bad files are refused in words, and nothing is added.
  const choose = (name: string, buffer: Buffer) =>
    form.getByLabel('Audit file (.fieldbook, from “Export audit”)').setInputFiles({
      name,
      mimeType: 'application/octet-stream',
      buffer,
    });
  await choose('cut.fieldbook', bytes.subarray(0, Math.floor(bytes.length / 2)));
  await form.getByRole('button', { name: 'Import audit' }).click();
  await expect(form.getByRole('alert')).toContainText('The file is damaged or incomplete');
  await choose('photo.fieldbook', png(20, 20));
  await form.getByRole('button', { name: 'Import audit' }).click();
  await expect(form.getByRole('alert')).toContainText('This is not a Fieldbook audit export');
  const tampered = Buffer.from(bytes);
  tampered[tampered.length - 10] ^= 0xff; // inside the photo's bytes, the file's last value
  await choose('tampered.fieldbook', tampered);
  await form.getByRole('button', { name: 'Import audit' }).click();
  await expect(form.getByRole('alert')).toContainText('does not match its fingerprint');
  await ines.page.screenshot({ path: shot(testInfo, 'audit-import-refused'), fullPage: true });
  await expect(ines.page.getByText('No audits on this device yet.')).toBeVisible();
  expect(await blobKeys(ines)).toHaveLength(0);

  // 5. The good file is imported: what it held is said, and it syncs to Ines's server.
  await choose(download.suggestedFilename(), bytes);
  await form.getByRole('button', { name: 'Import audit' }).click();
  await expect(form.getByRole('status')).toHaveText(
    `Imported audit “${TITLE}”: 1 audit, 1 run, 1 finding, 1 corrective action, 1 photo. Open it`,
  );
  await expect(imports.list()).toContainText(TITLE);
  await ines.page.screenshot({ path: shot(testInfo, 'audit-imported'), fullPage: true });
  await ines.expectAllSynced();
  expect(await blobKeys(ines)).toEqual(photos);
  // The photo went up to Ines's server (the upload queue is the device's, as for any photo).
  await expect
    .poll(async () => (await inesDevice.request.get(`${secondServer.url}/api/blobs/${photos[0]}`)).status())
    .toBe(200);

  // 6. Offline, the imported audit shows its run, its finding and the finding's photo; it is
  //    listed at Ines's site.
  await inesDevice.setOffline(true);
  await ines.expectOffline(0);
  await form.getByRole('link', { name: 'Open it' }).click();
  await expect(ines.page.getByRole('heading', { name: TITLE, level: 1 })).toBeVisible();
  await expect(imports.summary()).toContainText('harbour');
  await imports.expectStatus('Fieldwork');
  await expect(imports.member('Ada Auditor')).toContainText('Independence declared');
  await expect(imports.runs()).toContainText(ISO_TEMPLATE);
  await expect(imports.findings()).toContainText('Minor nonconformity');
  await imports.findings().getByRole('link').first().click();
  const evidence = new Audit(ines.page).evidence();
  const photo = evidence.getByRole('img', { name: ITEMS.parties });
  await expect(photo).toBeVisible();
  expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1200);
  const actions = new Audit(ines.page).correctiveActions();
  await expect(actions.getByRole('link', { name: new RegExp(ACTION) })).toContainText('Tess Technician');
  await ines.page.screenshot({ path: shot(testInfo, 'audit-imported-finding-offline'), fullPage: true });
  await inesDevice.setOffline(false);

  // 7. Another device of Ines, fresh, gets it all from her server: the audit, the finding and
  //    the photo went through the server's checks of role and site.
  const second = await Fieldbook.open(await browser.newContext(), secondServer.url, 'ines');
  await second.expectAllSynced();
  const elsewhere = new Audits(second.page);
  await elsewhere.open();
  await elsewhere.openAudit(TITLE);
  await expect(elsewhere.findings()).toContainText('Minor nonconformity');
  await elsewhere.findings().getByRole('link').first().click();
  await expect(new Audit(second.page).evidence().getByRole('img', { name: ITEMS.parties })).toBeVisible();
});
