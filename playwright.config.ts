// Browser tests: real Chromium against the real server (started per worker
// on port 0 by e2e/fixtures.ts). Which Chromium, and its flags: bench/chromium.ts.
import { defineConfig } from '@playwright/test';
// Shared with `npm run bench:page`, which launches the same browser the same way.
import { chromiumLaunchOptions } from './bench/chromium.js';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // One worker: the machine has 2 cores and the server runs in the same process.
  workers: 1,
  fullyParallel: false,
  // Generous: on this shared 2-core machine (load 10-25 while several suites run) a page under test takes 20-30 s to do what takes 10 s when idle.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1600, height: 1000 },
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
  },
});
