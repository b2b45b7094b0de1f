// How Chromium is launched, for the browser tests (playwright.config.ts) and
// the benchmark's chart (bench/chart.ts) alike. Playwright cannot download
// browsers here, so the executable is found as the developers' guide says.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** CHROMIUM_PATH, else Playwright's own browser if installed, else Debian's. */
export function chromiumExecutable(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist: point it at a Chromium binary, or unset it to use /usr/bin/chromium.`);
  }
  for (const candidate of [chromium.executablePath(), '/usr/bin/chromium']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error('No Chromium: install one (`apt-get install chromium`) or set CHROMIUM_PATH to a Chromium binary.');
}
