// The workshop lab in the real page: the presenter panel and its token, the
// "corporate proxy", added latency on one transport, dropped connections,
// and the audience view on a phone.
import {
  DROP_NOISE,
  expect,
  latencyFigure,
  openLab,
  pane,
  PANE_NAMES,
  presenter,
  PRESENTER_TOKEN,
  resetLab,
  sendFrom,
  shownTexts,
  test,
  unlockPresenter,
} from './fixtures.js';

// The worker's server is shared by every spec: leave it unimpaired whatever happened.
test.afterEach(({ request }) => resetLab(request));

test('the presenter panel needs the token, keeps it for the tab only, never in the URL', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 403/);
  await openLab(page);
  await page.getByRole('button', { name: 'Presenter' }).click();
  await expect(page.getByRole('checkbox', { name: /Block WebSocket/ })).toHaveCount(0);
  await page.getByLabel('Presenter token').fill('not-the-token');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(presenter(page).getByRole('status')).toHaveText('Refused: wrong presenter token');
  await expect(page.getByRole('checkbox', { name: /Block WebSocket/ })).toHaveCount(0);

  await page.getByLabel('Presenter token').fill(PRESENTER_TOKEN);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('checkbox', { name: /Block WebSocket/ })).toBeVisible();
  // The join QR code opens over the page, the server's stats under the bar, each on demand.
  await presenter(page).getByRole('button', { name: 'Join QR code' }).click();
  await expect(presenter(page).getByRole('img', { name: /QR code for http/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(presenter(page).getByRole('img', { name: /QR code for http/ })).toHaveCount(0);
  await presenter(page).getByRole('button', { name: 'Server stats' }).click();
  await expect(
    presenter(page).getByRole('table', { name: 'Server stats' }).locator('tr[data-transport="websocket"] td').first(),
  ).not.toHaveText('0');
  expect(page.url()).not.toContain(PRESENTER_TOKEN);

  await page.reload();
  await page.getByRole('button', { name: 'Presenter' }).click();
  await expect(page.getByRole('checkbox', { name: /Block WebSocket/ })).toBeVisible();
  await page.getByRole('button', { name: 'Forget token' }).click();
  await expect(page.getByLabel('Presenter token')).toBeVisible();
});

test('blocking WebSocket: the WebSocket pane fails and says why, Socket.IO delivers over polling', async ({
  page,
  consoleErrors,
}, testInfo) => {
  // Chromium logs every refused handshake as a console error.
  consoleErrors.allow(/WebSocket connection to .* failed/);
  await openLab(page);
  await unlockPresenter(page);
  await page.getByRole('checkbox', { name: /Block WebSocket/ }).check();
  await page.getByRole('button', { name: 'Drop WebSocket connections' }).click();
  await page.getByRole('button', { name: 'Drop Socket.IO connections' }).click();

  const websocket = pane(page, 'WebSocket');
  await expect(websocket.locator('.status')).toHaveAttribute('data-status', 'reconnecting');
  await expect(websocket.getByRole('note')).toContainText('refuses every WebSocket handshake');
  const socketio = pane(page, 'Socket.IO');
  await expect(socketio.locator('.status')).toHaveAttribute('data-status', 'open');
  await expect(socketio.locator('.detail')).toHaveText('polling');
  await expect(socketio.getByRole('note')).toContainText('long polling');

  const text = `through the proxy ${testInfo.testId.slice(0, 8)}`;
  await sendFrom(page, 'Socket.IO', text);
  for (const name of ['Socket.IO', 'Long polling', 'Short polling']) {
    await expect(pane(page, name).getByText(text, { exact: true })).toHaveCount(1);
  }
  await expect(websocket.getByText(text, { exact: true })).toHaveCount(0);

  // Unblocked: the WebSocket pane reconnects and catches up.
  await page.getByRole('checkbox', { name: /Block WebSocket/ }).uncheck();
  await expect(websocket.locator('.status')).toHaveAttribute('data-status', 'open', { timeout: 15_000 });
  await expect(websocket.getByText(text, { exact: true })).toHaveCount(1);
  await expect(websocket.locator('[data-stat="first"]')).not.toHaveText('–');
});

test("added latency on one transport raises that pane's p50 by about that much, not the others", async ({ page }) => {
  const ADDED_MS = 300;
  await openLab(page);
  // Short polling's p50 is half its interval anyway: compare the push transports.
  await pane(page, 'Short polling').getByRole('checkbox', { name: 'Connected' }).uncheck();
  await unlockPresenter(page);
  const latency = page.getByRole('spinbutton', { name: 'WebSocket latency' });
  await latency.fill(String(ADDED_MS));
  await latency.press('Enter');
  await expect(presenter(page).getByRole('status')).toHaveText('Applied');

  await page.getByRole('button', { name: 'Reset stats' }).click();
  await page.getByRole('spinbutton', { name: 'every' }).fill('150');
  await page.getByRole('spinbutton', { name: 'every' }).press('Enter');
  await page.getByRole('button', { name: 'Start auto-send' }).click();
  // Each pane times its own probes (a third of them, short polling is off).
  await expect.poll(() => latencyFigure(page, 'WebSocket', 'count'), { timeout: 20_000 }).toBeGreaterThanOrEqual(10);
  await page.getByRole('button', { name: 'Stop auto-send' }).click();

  const p50 = Object.fromEntries(
    await Promise.all(
      ['WebSocket', 'Long polling', 'Socket.IO'].map(async (name) => [name, await latencyFigure(page, name, 'p50')] as const),
    ),
  );
  const others = Math.max(p50['Long polling']!, p50['Socket.IO']!);
  expect(p50.WebSocket, JSON.stringify(p50)).toBeGreaterThanOrEqual(ADDED_MS);
  expect(p50.WebSocket! - others, JSON.stringify(p50)).toBeGreaterThan(ADDED_MS * 0.7);
  expect(others, JSON.stringify(p50)).toBeLessThan(ADDED_MS * 0.7);
});

test("dropping every transport's connections loses no message", async ({ page, consoleErrors }) => {
  test.setTimeout(15_000 * PANE_NAMES.length);
  consoleErrors.allow(DROP_NOISE);
  await openLab(page);
  await unlockPresenter(page);
  await page.getByRole('spinbutton', { name: 'every' }).fill('100');
  await page.getByRole('spinbutton', { name: 'every' }).press('Enter');
  const probeNumbers = async (name: string) => probes(await shownTexts(page, name)).map((text) => Number(text.slice('probe '.length)));
  const newest = async (name: string) => Math.max(0, ...(await probeNumbers(name)));
  // A pane shows only its newest messages (MAX_SHOWN_MESSAGES), so each drop is checked while its probes still
  // fit, and each check reaches back to the newest probe of the one before: nothing can go missing in between.
  let checked = 0;
  for (const name of PANE_NAMES) {
    await page.getByRole('button', { name: 'Start auto-send' }).click();
    const before = await newest(name);
    await page.getByRole('button', { name: `Drop ${name} connections` }).click();
    await expect(presenter(page).getByRole('status')).toContainText(name);
    // Back, and receiving again (probes keep coming meanwhile, some sent by the dropped pane itself).
    await expect(pane(page, name).locator('.status')).toHaveAttribute('data-status', 'open');
    await expect.poll(() => newest(name)).toBeGreaterThan(before + 3);
    await page.getByRole('button', { name: 'Stop auto-send' }).click();
    // Every pane then shows the same probes in the same order, each once, without a gap, back to the last check
    // (probe 1 the first time); a retried send may land last.
    await expect
      .poll(async () => {
        const shown = await Promise.all(PANE_NAMES.map((other) => probeNumbers(other)));
        const sorted = [...shown[0]!].sort((a, b) => a - b);
        const gapless = sorted.every((number, index) => index === 0 || number === sorted[index - 1]! + 1);
        const reachesBack = sorted[0] === 1 || (checked > 0 && sorted[0]! <= checked);
        return new Set(shown.map((numbers) => JSON.stringify(numbers))).size === 1 && gapless && reachesBack;
      })
      .toBe(true);
    checked = await newest(name);
  }
  expect(checked).toBeGreaterThan(10);
});

const probes = (texts: string[]) => texts.filter((text) => text.startsWith('probe '));

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('the audience view shows one pane with a transport picker and a participant counter', async ({ page }, testInfo) => {
    await page.goto('/');
    await expect(page.getByRole('region')).toHaveCount(1);
    await expect(pane(page, 'WebSocket').locator('.status')).toHaveAttribute('data-status', 'open');
    await expect(pane(page, 'WebSocket').locator('.participants')).toHaveText(/^[1-9]\d* here$/);
    await expect(page.getByRole('button', { name: 'Presenter' })).toHaveCount(0);

    await page.getByRole('combobox', { name: 'Transport' }).selectOption('long-polling');
    await expect(page.getByRole('region')).toHaveCount(1);
    await expect(pane(page, 'Long polling').locator('.status')).toHaveAttribute('data-status', 'open');
    const text = `from a phone ${testInfo.testId.slice(0, 8)}`;
    await sendFrom(page, 'Long polling', text);
    await expect(pane(page, 'Long polling').getByText(text, { exact: true })).toHaveCount(1);
    const box = await pane(page, 'Long polling').boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
  });
});
