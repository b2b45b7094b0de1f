// Browser tests: real Chromium against the real server (started per worker
// on port 0 by e2e/fixtures.ts). Playwright cannot download browsers here,
// so the executable is found as the developers' guide says.
import { existsSync } from 'node:fs';
import { chromium, defineConfig } from '@playwright/test';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** CHROMIUM_PATH, else Playwright's own browser if installed, else Debian's. */
function chromiumExecutable(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist: point it at a Chromium binary, or unset it to use /usr/bin/chromium.`);
  }
  for (const candidate of [chromium.executablePath(), '/usr/bin/chromium']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error('No Chromium for the browser tests: install one (`apt-get install chromium`) or set CHROMIUM_PATH to a Chromium binary.');
}

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
    launchOptions: { executablePath: chromiumExecutable(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
  },
});
