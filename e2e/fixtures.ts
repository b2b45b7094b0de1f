// The real server on port 0 for each worker, serving the page under the
// Content Security Policy it must live with, and a check that no test saw a
// page error or console error.
import type { AddressInfo } from 'node:net';
import { test as base, expect, type APIRequestContext, type Locator, type Page, type Request } from '@playwright/test';
// Built by `npm run build` (npm test runs it first).
import { buildServer } from '../dist/src/server.js';
import { DISPLAY_NAMES, TRANSPORT_NAMES } from '../dist/src/chat/transports.js';

const CLOSE_GRACE_MS = 2000;

/** The presenter token of the test server (e2e/lab*.spec.ts unlock the presenter panel with it). */
export const PRESENTER_TOKEN = 'e2e-presenter-token';

export const PANE_NAMES = TRANSPORT_NAMES.map((name) => DISPLAY_NAMES[name]);

const zeroes = Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, 0]));
const NO_IMPAIRMENT = { blockWebSocket: false, liftRateLimit: false, addedLatencyMs: zeroes, jitterMs: zeroes };

/** The worker's server is shared by every spec: a spec that impairs it leaves it unimpaired afterwards. */
export async function resetLab(request: APIRequestContext): Promise<void> {
  const response = await request.put('/api/lab', { headers: { authorization: `Bearer ${PRESENTER_TOKEN}` }, data: NO_IMPAIRMENT });
  expect(response.status()).toBe(200);
}

export async function unlockPresenter(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Presenter' }).click();
  await page.getByLabel('Presenter token').fill(PRESENTER_TOKEN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('checkbox', { name: /Block WebSocket/ })).toBeVisible();
}

export const presenter = (page: Page): Locator => page.getByRole('region', { name: 'Presenter' });

export interface LabServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The real server, serving the page as `npm start` does; `overrides` change its options (e.g. a send rate limit). */
export async function startLabServer(port = 0, overrides: Parameters<typeof buildServer>[0] = {}): Promise<LabServer> {
  // The page runs under the server's own Content Security Policy. The send rate
  // limit is off: specs send bursts no person would (test/limits.test.ts covers it).
  const app = await buildServer({ logLevel: 'silent', presenterToken: PRESENTER_TOKEN, rateLimit: false, ...overrides });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    // Held polls are answered on close; a request that reached the server after
    // its browser had gone may still hold one for the full wait: cut it after a grace period.
    const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
    await app.close();
    clearTimeout(cut);
  };
  return { url: `http://127.0.0.1:${address.port}`, port: address.port, close };
}

interface WorkerFixtures {
  serverUrl: string;
}

/**
 * What Chromium logs when the lab drops connections, which plays a network failure: a cut event
 * stream, a long poll cut mid-answer, and engine.io-client writing (a probe, a pong) to a WebSocket
 * whose close frame has arrived but whose close event has not fired yet.
 */
export const DROP_NOISE = /ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONTENT_LENGTH_MISMATCH|WebSocket is already in CLOSING or CLOSED state/;

interface TestFixtures {
  consoleErrors: { allow(pattern: RegExp): void };
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  serverUrl: [
    async ({}, use) => {
      const server = await startLabServer();
      await use(server.url);
      await server.close();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ serverUrl }, use) => use(serverUrl),
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      const allowed: RegExp[] = [];
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
      });
      await use({ allow: (pattern) => allowed.push(pattern) });
      const unexpected = errors.filter((error) => !allowed.some((pattern) => pattern.test(error)));
      expect(unexpected, 'page errors and console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export function pane(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

/** Opens the page (of the worker's server unless told) and waits until every pane is connected. */
export async function openLab(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  for (const name of PANE_NAMES) {
    await expect(pane(page, name).locator('.status')).toHaveAttribute('data-status', 'open');
  }
}

export async function sendFrom(page: Page, name: string, text: string): Promise<void> {
  const composer = pane(page, name).getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

/** The texts shown in a pane's message list, oldest first. */
export function shownTexts(page: Page, name: string): Promise<string[]> {
  return pane(page, name).locator('.messages .text').allTextContents();
}

/** A latency figure of a pane in ms (e.g. 'p50'), or NaN while it has none. */
export async function latencyFigure(page: Page, name: string, stat: string): Promise<number> {
  const text = await pane(page, name).locator(`[data-stat="${stat}"]`).textContent();
  return Number.parseFloat(text ?? '');
}

/** The most HTTP requests the page had in flight at once (a browser allows 6 per host), and which. */
export function trackRequestsInFlight(page: Page): { max: number; urls: string[] } {
  const inFlight = new Set<Request>();
  const seen = { max: 0, urls: [] as string[] };
  page.on('request', (request) => {
    inFlight.add(request);
    if (inFlight.size <= seen.max) return;
    seen.max = inFlight.size;
    seen.urls = [...inFlight].map((each) => `${each.method()} ${new URL(each.url()).pathname}`);
  });
  page.on('requestfinished', (request) => inFlight.delete(request));
  page.on('requestfailed', (request) => inFlight.delete(request));
  return seen;
}
