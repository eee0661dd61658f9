import { defineConfig } from '@playwright/test';

// Browsers cannot be downloaded here: every project drives the system Chromium.
// The server under test is started per test by the `server` fixture (e2e/fixtures.ts)
// from FIELDBOOK_SERVER_BIN and FIELDBOOK_DIST, which `cargo xtask test` sets.
export default defineConfig({
  testDir: 'e2e',
  retries: 0,
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.FIELDBOOK_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      // Every test runs at tablet size; those tagged @phone also at phone size.
      name: 'phone',
      grep: /@phone/,
      use: { viewport: { width: 390, height: 844 }, isMobile: false, hasTouch: true },
    },
    {
      name: 'tablet',
      use: { viewport: { width: 1024, height: 768 }, isMobile: false, hasTouch: false },
    },
    {
      // Our app syncing through the JavaScript automerge-repo server (interop/js-sync-server.mjs),
      // at tablet size. `cargo xtask test` runs it in a step of its own (`--project interop`); its
      // e2e step names `--project phone --project tablet`. The interop/*.test.mjs files beside it
      // are node:test files (`node --test`), not Playwright's.
      name: 'interop',
      testDir: 'interop',
      testMatch: /.*\.spec\.ts$/,
      use: { viewport: { width: 1024, height: 768 }, isMobile: false, hasTouch: false },
    },
  ],
});
