// docs/workshop.md, executable: its steps in order, on the projector page and
// on two phones (each in its own browser context, so they share no connection
// pool), asserting what the script tells the teacher to point at. A server of
// its own, so the participant counts are this room's alone. Auto-send runs at
// 500 ms where the script says 1000 ms: the same claims, figures sooner.
// Selectors are roles, labels and data-* attributes.
import type { Browser, Page } from '@playwright/test';
import {
  DROP_NOISE,
  expect as baseExpect,
  latencyFigure,
  pane,
  PANE_NAMES,
  presenter,
  PRESENTER_TOKEN,
  sendFrom,
  shownTexts,
  startLabServer,
  test,
  type LabServer,
} from './fixtures.js';

// A generous wait: the machine may be busy, and every claim is waited for, not timed.
const expect = baseExpect.configure({ timeout: 20_000 });

let server: LabServer;
test.beforeAll(async () => (server = await startLabServer()));
test.afterAll(async () => server.close());

/**
 * The whole walk asserts latency claims, so it wants a machine with CPU to
 * spare (it passes in under 2 minutes on an idle 2-core box; at load average
 * 13-25 the page's own latencies reached seconds). WORKSHOP_E2E=join stops
 * after the join (the participant counts) for a machine that is busy.
 */
const FULL_WALK = process.env.WORKSHOP_E2E !== 'join';

/** The script says 1000 ms; half that fills the figures twice as fast and keeps the page's six connections unhurried. */
const AUTO_SEND_MS = 500;

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function openPhone(browser: Browser, nickname: string): Promise<Page> {
  const context = await browser.newContext(PHONE);
  const phone = await context.newPage();
  await phone.goto(server.url);
  await phone.getByLabel('Nickname').fill(nickname);
  await phone.getByLabel('Nickname').press('Enter');
  return phone;
}

const status = (page: Page, name: string) => pane(page, name).locator('.status');
const bar = (page: Page, transport: string, stat: string) =>
  page.getByRole('table', { name: 'Latency percentiles' }).locator(`tbody[data-transport="${transport}"] [data-stat="${stat}"]`);
const statsCell = (page: Page, transport: string, column: number) =>
  presenter(page).getByRole('table', { name: 'Server stats' }).locator(`tr[data-transport="${transport}"] td`).nth(column);
/** The stats table's columns after the transport's name. */
const COLUMN = { participants: 0, openHeld: 1, requestsPerSec: 2, emptyPolls: 3, payloadShare: 7 } as const;
const number = async (locator: ReturnType<Page['locator']>): Promise<number> => Number.parseFloat((await locator.textContent()) ?? '');

async function setAutoSend(page: Page, ms: number, running: boolean): Promise<void> {
  await page.getByRole('spinbutton', { name: 'every' }).fill(String(ms));
  await page.getByRole('spinbutton', { name: 'every' }).press('Enter');
  const stop = page.getByRole('button', { name: 'Stop auto-send' });
  if (running && !(await stop.isVisible())) await page.getByRole('button', { name: 'Start auto-send' }).click();
  if (!running && (await stop.isVisible())) await stop.click();
}

async function setLab(page: Page, label: string, ms: number): Promise<void> {
  const input = presenter(page).getByRole('spinbutton', { name: label });
  await input.fill(String(ms));
  await input.press('Enter');
  await expect(presenter(page).getByRole('status')).toHaveText('Applied');
}

/** Drags short polling's Poll interval (a range input: set, then the input event a drag fires). */
async function setPollInterval(page: Page, ms: number): Promise<void> {
  await pane(page, 'Short polling')
    .getByRole('slider')
    .evaluate((input: HTMLInputElement, value) => {
      input.value = String(value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, ms);
}

/** Every status each pane shows from now on, in order (a MutationObserver in the page). */
async function recordStatuses(page: Page): Promise<() => Promise<Record<string, string[]>>> {
  await page.evaluate(() => {
    const seen: Record<string, string[]> = {};
    (window as unknown as { statusesSeen: typeof seen }).statusesSeen = seen;
    new MutationObserver((records) => {
      for (const record of records) {
        const target = record.target as Element;
        const name = target.closest('[role="region"]')?.getAttribute('aria-label') ?? '?';
        (seen[name] ??= []).push(target.getAttribute('data-status') ?? '');
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
  });
  return () => page.evaluate(() => (window as unknown as { statusesSeen: Record<string, string[]> }).statusesSeen);
}

test('docs/workshop.md, step by step', async ({ page, browser, consoleErrors }) => {
  test.setTimeout(600_000);
  // Chromium logs refused WebSocket handshakes (the corporate proxy) and what the drop drill cuts.
  consoleErrors.allow(/WebSocket connection to .* failed|Failed to load resource/);
  consoleErrors.allow(DROP_NOISE);
  await page.setViewportSize({ width: 1920, height: 1080 });

  await test.step('before the session: five green panes, Large text, the presenter bar with its QR code', async () => {
    await page.goto(server.url);
    for (const name of PANE_NAMES) await expect(status(page, name)).toHaveAttribute('data-status', 'open');
    await page.getByRole('checkbox', { name: 'Large text' }).check();
    await page.getByRole('button', { name: 'Presenter' }).click();
    await page.getByLabel('Presenter token').fill(PRESENTER_TOKEN);
    await page.getByRole('button', { name: 'Unlock' }).click();
    // The bar keeps the QR code and the server stats behind a button each (on demand, so the panes keep the screen).
    await presenter(page).getByRole('button', { name: 'Join QR code' }).click();
    await expect(presenter(page).getByRole('img', { name: /QR code for http/ })).toBeVisible();
    await presenter(page).getByRole('button', { name: 'Close the join QR code' }).click();
    await presenter(page).getByRole('button', { name: 'Server stats' }).click();
    await expect(presenter(page).getByRole('table', { name: 'Server stats' })).toBeVisible();
  });

  const phones = [await openPhone(browser, 'ana'), await openPhone(browser, 'ben')];

  await test.step('0-5 min, join: a phone gets the audience view; the "N here" counters and the participants column count everyone', async () => {
    for (const phone of phones) {
      await expect(phone.getByRole('region')).toHaveCount(1);
      await expect(phone.getByRole('combobox', { name: 'Transport' })).toHaveValue('websocket');
      await expect(status(phone, 'WebSocket')).toHaveAttribute('data-status', 'open');
    }
    // The projector's own WebSocket pane and two phones.
    await expect(pane(page, 'WebSocket').locator('.participants')).toHaveText('3 here', { timeout: 20_000 });
    await expect(statsCell(page, 'websocket', COLUMN.participants)).toHaveText('3');
    await expect(pane(phones[0]!, 'WebSocket').locator('.participants')).toHaveText('3 here', { timeout: 20_000 });
    await sendFrom(page, 'WebSocket', 'hello room');
    for (const phone of phones) await expect(pane(phone, 'WebSocket').getByText('hello room', { exact: true })).toHaveCount(1);
  });

  if (!FULL_WALK) {
    test.info().annotations.push({ type: 'note', description: 'WORKSHOP_E2E=join: the steps after the join were skipped' });
    for (const phone of phones) await phone.context().close();
    return;
  }

  await test.step('5-12 min, short polling: p50 hundreds of ms against a few, each near its expected mark; the wire shows it', async () => {
    await setAutoSend(page, AUTO_SEND_MS, true);
    await page.getByRole('button', { name: 'Reset stats' }).click();
    await expect.poll(() => latencyFigure(page, 'Short polling', 'count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(6);
    const shortP50 = await number(bar(page, 'short-polling', 'p50'));
    expect(shortP50).toBeGreaterThan(100);
    expect(shortP50).toBeLessThan(1500);
    // "A few ms" on a quiet machine; on a busy one, still far below short polling's.
    for (const transport of ['long-polling', 'websocket', 'socketio', 'sse']) {
      await expect.poll(() => number(bar(page, transport, 'p50'))).toBeLessThan(shortP50 * 0.6);
    }
    // Near the expected mark: T/2 + RTT for short polling.
    const expected = Number.parseFloat((await bar(page, 'short-polling', 'expected').textContent())!.replace(/^.*≈ /, ''));
    expect(expected).toBeGreaterThan(450);
    expect(shortP50 / expected).toBeGreaterThan(0.3);
    expect(shortP50 / expected).toBeLessThan(2);

    // On the wire: short polling a tick per poll; long polling held bars; WebSocket only send, ack, message; SSE a frame per event.
    await expect.poll(() => page.locator('[data-lane="short-polling"] [data-kind="request"][data-label="GET"]').count()).toBeGreaterThan(3);
    await expect.poll(() => page.locator('[data-lane="long-polling"] [data-kind="request"]').count()).toBeGreaterThan(1);
    const websocketLabels = new Set(
      await page
        .locator('[data-lane="websocket"] [data-kind="frame"]')
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-label'))),
    );
    for (const label of ['send', 'ack', 'message']) expect(websocketLabels).toContain(label);
    await expect.poll(() => page.locator('[data-lane="sse"] [data-kind="frame"][data-label="message"]').count()).toBeGreaterThan(3);
  });

  await test.step('the poll interval to 5 s: p50 drifts to about 2.5 s = T/2 and the expected mark moves there at once', async () => {
    const expectedMs = async () => Number.parseFloat((await bar(page, 'short-polling', 'expected').textContent())!.replace(/^.*≈ /, ''));
    await setPollInterval(page, 5000);
    // T/2 + RTT at the comparison view's next refresh. The round trip is measured afresh and drifts by hundreds
    // of milliseconds on a busy machine, so the mark is checked against T/2, not against its value before.
    await expect.poll(expectedMs, { timeout: 5_000 }).toBeGreaterThanOrEqual(2500);
    const expected = await expectedMs();
    expect(expected).toBeLessThan(3500);
    // No Reset needed: a changed knob starts the pane's figures over.
    await expect.poll(() => latencyFigure(page, 'Short polling', 'count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(6);
    // The bars follow the panes at the comparison view's next refresh: until then they may still show the
    // first samples after the change, delivered by the last poll at the old interval.
    await expect.poll(() => number(bar(page, 'short-polling', 'p50')), { timeout: 30_000 }).toBeGreaterThan(1200);
    expect(await number(bar(page, 'short-polling', 'p50'))).toBeLessThan(expected + 1300);
  });

  await test.step('a third of the room on short polling: the room’s requests grow; silence: empty polls 100 %, payload half or less', async () => {
    await phones[0]!.getByRole('combobox', { name: 'Transport' }).selectOption('short-polling');
    await expect(status(phones[0]!, 'Short polling')).toHaveAttribute('data-status', 'open');
    const roomRequests = page
      .getByRole('table', { name: 'Request race' })
      .locator('tr[data-transport="short-polling"] [data-stat="room-requests"]');
    await expect.poll(() => number(roomRequests), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await setAutoSend(page, AUTO_SEND_MS, false);
    await expect(statsCell(page, 'short-polling', COLUMN.emptyPolls)).toHaveText('100 %', { timeout: 20_000 });
    await expect
      .poll(async () => Number.parseFloat((await statsCell(page, 'short-polling', COLUMN.payloadShare).textContent())!))
      .toBeLessThanOrEqual(60);
    await expect.poll(() => number(statsCell(page, 'short-polling', COLUMN.requestsPerSec))).toBeGreaterThan(0);
    await setAutoSend(page, AUTO_SEND_MS, true);
    await setPollInterval(page, 1000);
  });

  await test.step('12-20 min, long polling: held polls = its phones; 200 ms added: its bar grows by ~400 ms, the others do not move', async () => {
    await phones[1]!.getByRole('combobox', { name: 'Transport' }).selectOption('long-polling');
    await expect(status(phones[1]!, 'Long polling')).toHaveAttribute('data-status', 'open');
    // The projector's pane and one phone.
    await expect(statsCell(page, 'long-polling', COLUMN.participants)).toHaveText('2', { timeout: 20_000 });
    await expect(statsCell(page, 'long-polling', COLUMN.openHeld)).toHaveText('2 / 2', { timeout: 20_000 });
    await expect.poll(() => number(bar(page, 'long-polling', 'p50'))).toBeLessThan(300);
    const before = { websocket: await number(bar(page, 'websocket', 'p50')) };

    await setLab(page, 'Long polling latency', 200);
    // The change starts every pane's figures over: what follows is the new network.
    await expect.poll(() => latencyFigure(page, 'Long polling', 'count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
    await expect.poll(() => latencyFigure(page, 'WebSocket', 'count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
    const longP50 = await number(bar(page, 'long-polling', 'p50'));
    expect(longP50).toBeGreaterThan(350);
    expect(longP50).toBeLessThan(1500);
    for (const transport of ['websocket', 'socketio', 'sse']) {
      // Their medians stay far below long polling's +400 ms. Their tails are left out: with a handful of
      // samples p95 and p99 are the slowest one, and a busy test machine has tails of its own.
      expect(await number(bar(page, transport, 'p50')), `${transport} p50`).toBeLessThan(Math.max(before.websocket, 50) + 200);
    }

    await page.getByRole('combobox', { name: 'Timed on' }).selectOption('any');
    await expect.poll(() => latencyFigure(page, 'WebSocket', 'count'), { timeout: 60_000 }).toBeGreaterThanOrEqual(20);
    // A fifth of the probes are long polling's, which paid its uplink delay: the p95 of everyone jumps by ~200 ms.
    for (const transport of ['websocket', 'socketio', 'sse']) {
      await expect.poll(() => number(bar(page, transport, 'p95')), { timeout: 60_000 }).toBeGreaterThan(180);
    }
    await page.getByRole('combobox', { name: 'Timed on' }).selectOption('own');
    await setLab(page, 'Long polling latency', 0);
  });

  await test.step('20-30 min, the corporate proxy: WebSocket fails and says why, Socket.IO falls back to polling and keeps delivering, SSE never notices', async () => {
    await phones[0]!.getByRole('combobox', { name: 'Transport' }).selectOption('websocket');
    await phones[1]!.getByRole('combobox', { name: 'Transport' }).selectOption('socketio');
    await expect(status(phones[1]!, 'Socket.IO')).toHaveAttribute('data-status', 'open');
    await expect(pane(page, 'Socket.IO').locator('.detail')).toHaveText('polling -> websocket');
    const recorded = await recordStatuses(page);

    await presenter(page)
      .getByRole('checkbox', { name: /Block WebSocket/ })
      .check();
    await page.waitForTimeout(1000);
    await expect(status(page, 'WebSocket')).toHaveAttribute('data-status', 'open');
    await page.getByRole('button', { name: 'Drop WebSocket connections' }).click();
    await page.getByRole('button', { name: 'Drop Socket.IO connections' }).click();
    await expect(status(page, 'WebSocket')).toHaveAttribute('data-status', 'reconnecting');
    await expect(pane(page, 'WebSocket').getByRole('note')).toContainText('403');
    await expect(status(phones[0]!, 'WebSocket')).not.toHaveAttribute('data-status', 'open');
    await expect(status(page, 'Socket.IO')).toHaveAttribute('data-status', 'open', { timeout: 20_000 });
    await expect(pane(page, 'Socket.IO').locator('.detail')).toHaveText('polling');
    await sendFrom(page, 'Socket.IO', 'through the proxy');
    await expect(pane(phones[1]!, 'Socket.IO').getByText('through the proxy', { exact: true })).toHaveCount(1);
    const socketioRequests = page
      .getByRole('table', { name: 'Request race' })
      .locator('tr[data-transport="socketio"] [data-stat="requests"]');
    const requestsOnPolling = await number(socketioRequests);
    await expect.poll(() => number(socketioRequests)).toBeGreaterThan(requestsOnPolling);
    await expect(pane(page, 'WebSocket').locator('[data-stat="first"]')).not.toHaveText('–');

    await presenter(page)
      .getByRole('checkbox', { name: /Block WebSocket/ })
      .uncheck();
    await expect(status(page, 'WebSocket')).toHaveAttribute('data-status', 'open', { timeout: 30_000 });
    await expect(pane(page, 'WebSocket').locator('.notice')).toHaveText(/Caught up: \d+ messages? missed while away|In sync/);
    await page.getByRole('button', { name: 'Drop Socket.IO connections' }).click();
    await expect(pane(page, 'Socket.IO').locator('.detail')).toHaveText('polling -> websocket', { timeout: 30_000 });
    // The SSE pane never noticed.
    expect((await recorded())['Server-Sent Events'] ?? []).not.toContain('reconnecting');
    await expect(pane(page, 'Server-Sent Events').locator('.detail')).toHaveText('readyState OPEN · 0 own reconnects');
  });

  await test.step('30-38 min, failures and catch-up: every pane flickers orange and back, SSE reconnects by itself, nothing lost or doubled', async () => {
    await setAutoSend(page, AUTO_SEND_MS, true);
    const recorded = await recordStatuses(page);
    for (const name of ['Long polling', 'WebSocket', 'Socket.IO', 'Server-Sent Events']) {
      await dropUntilCut(page, name);
    }
    await page.getByRole('button', { name: 'Drop Short polling connections' }).click();
    await expect(presenter(page).getByRole('status')).toContainText('nothing to drop');
    for (const name of ['Long polling', 'WebSocket', 'Socket.IO', 'Server-Sent Events']) {
      await expect(status(page, name)).toHaveAttribute('data-status', 'open', { timeout: 30_000 });
    }
    const seen = await recorded();
    for (const name of ['Long polling', 'WebSocket', 'Socket.IO', 'Server-Sent Events']) {
      expect(seen[name] ?? [], `${name} went orange and back`).toContain('reconnecting');
      await expect(pane(page, name).locator('.notice')).toHaveText(/Caught up: \d+ messages? missed while away|In sync/);
    }
    await expect(pane(page, 'Server-Sent Events').locator('.detail')).toHaveText(/readyState OPEN · 1 own reconnect$/);

    await setAutoSend(page, AUTO_SEND_MS, false);
    const probeTexts = async (name: string) => (await shownTexts(page, name)).filter((text) => text.startsWith('probe ')).slice(-100);
    await expect
      .poll(async () => new Set(await Promise.all(PANE_NAMES.map(async (name) => JSON.stringify(await probeTexts(name))))).size, {
        timeout: 30_000,
      })
      .toBe(1);
    const shown = await probeTexts('WebSocket');
    expect(new Set(shown).size).toBe(shown.length);

    // A phone switched off while the room talks catches up from its cursor.
    const phone = phones[0]!;
    await pane(phone, 'WebSocket').getByRole('checkbox', { name: 'Connected' }).uncheck();
    for (const text of ['while away 1', 'while away 2', 'while away 3']) await sendFrom(page, 'Long polling', text);
    await pane(phone, 'WebSocket').getByRole('checkbox', { name: 'Connected' }).check();
    await expect(pane(phone, 'WebSocket').locator('.notice')).toHaveText('Caught up: 3 messages missed while away', { timeout: 30_000 });
  });

  await test.step('38-45 min, wrap-up: requests per delivered message, and polling’s cost while the room is silent', async () => {
    const race = page.getByRole('table', { name: 'Request race' });
    const perMessage = (transport: string) => number(race.locator(`tr[data-transport="${transport}"] [data-stat="requests-per-message"]`));
    expect(await perMessage('websocket')).toBe(0);
    expect(await perMessage('sse')).toBeLessThan(0.5);
    // Silent room (auto-send stopped): short polling's requests and bytes go on, WebSocket's and SSE's are 0.
    await expect.poll(() => number(statsCell(page, 'websocket', COLUMN.requestsPerSec)), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => number(statsCell(page, 'sse', COLUMN.requestsPerSec)), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => number(statsCell(page, 'short-polling', COLUMN.requestsPerSec)), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect(presenter(page).locator('[data-stat="server-cpu"]')).toHaveText(/^\d+\.\d %$/);
  });

  for (const phone of phones) await phone.context().close();
});

/**
 * Drops `name`'s connections until the lab reports at least one cut. A long poll is not held while its
 * answer travels and the next request is on its way (a loaded machine widens that window), so a drop
 * can honestly cut nothing: the teacher clicks again.
 */
async function dropUntilCut(page: Page, name: string): Promise<void> {
  const note = presenter(page).getByRole('status');
  for (let attempt = 1; attempt <= 10; attempt++) {
    await page.getByRole('button', { name: `Drop ${name} connections` }).click();
    await expect(note).toContainText(new RegExp(`${name}: \\d+ connections? cut`));
    if (!(await note.textContent())?.includes(`${name}: 0 connections cut`)) return;
  }
  throw new Error(`${name}: ten drops in a row cut no connection`);
}
