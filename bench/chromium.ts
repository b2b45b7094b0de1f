// The Chromium the browser tests, `npm run bench:page` and the benchmark's
// chart launch, and its flags: one place for all three. Playwright cannot
// download browsers here, so the executable is found as the developers'
// guide says.
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
  throw new Error('No Chromium for the browser tests: install one (`apt-get install chromium`) or set CHROMIUM_PATH to a Chromium binary.');
}

/** Playwright's launch options for it. */
export const chromiumLaunchOptions = (): { executablePath: string; args: string[] } => ({
  executablePath: chromiumExecutable(),
  args: CHROMIUM_ARGS,
});
