// Switching panes off and on, the Socket.IO modes, the short-poll interval, the layout.
import { expect, latencyFigure, openLab, pane, PANE_NAMES, sendFrom, shownTexts, test } from './fixtures.js';

test('a pane switched off and on again catches up: messages sent meanwhile appear once, in order', async ({ page }, testInfo) => {
  test.setTimeout(10_000 * PANE_NAMES.length);
  await openLab(page);
  for (const [index, name] of PANE_NAMES.entries()) {
    const sender = PANE_NAMES[(index + 1) % PANE_NAMES.length]!;
    const region = pane(page, name);
    await region.getByRole('checkbox', { name: 'Connected' }).uncheck();
    await expect(region.locator('.status')).toHaveAttribute('data-status', 'off');

    const texts = [1, 2, 3].map((n) => `${name} missed ${n} ${testInfo.testId.slice(0, 8)}`);
    for (const text of texts) {
      await sendFrom(page, sender, text);
      // One at a time, so the order sent is the order the server keeps.
      await expect(pane(page, sender).getByText(text, { exact: true })).toHaveCount(1);
    }
    await expect(region.getByText(texts[0]!, { exact: true })).toHaveCount(0);

    await region.getByRole('checkbox', { name: 'Connected' }).check();
    await expect(region.locator('.notice')).toHaveText('Caught up: 3 messages missed while away');
    expect((await shownTexts(page, name)).filter((text) => texts.includes(text))).toEqual(texts);
  }
});

test('Socket.IO upgrades to WebSocket in auto mode and still delivers when polling only', async ({ page }, testInfo) => {
  await openLab(page);
  const socketio = pane(page, 'Socket.IO');
  await expect(socketio.locator('.detail')).toHaveText('polling -> websocket');

  await socketio.getByRole('combobox', { name: 'Mode' }).selectOption('polling');
  await expect(socketio.locator('.status')).toHaveAttribute('data-status', 'open');
  await expect(socketio.locator('.detail')).toHaveText('polling');
  const fromSocketio = `over polling only ${testInfo.testId.slice(0, 8)}`;
  const fromWebsocket = `to polling only ${testInfo.testId.slice(0, 8)}`;
  await sendFrom(page, 'Socket.IO', fromSocketio);
  await sendFrom(page, 'WebSocket', fromWebsocket);
  for (const name of ['Socket.IO', 'WebSocket']) {
    for (const text of [fromSocketio, fromWebsocket]) {
      await expect(pane(page, name).getByText(text, { exact: true })).toHaveCount(1);
    }
  }
  await expect(socketio.locator('.detail')).toHaveText('polling');

  await socketio.getByRole('combobox', { name: 'Mode' }).selectOption('websocket');
  await expect(socketio.locator('.detail')).toHaveText('websocket');
});

test('a 2 s short-poll interval shows in the measured latency', async ({ page }) => {
  await openLab(page);
  await pane(page, 'Short polling').getByRole('slider', { name: 'Poll interval' }).fill('2000');
  await expect(pane(page, 'Short polling').locator('[data-stat="expected"]')).toHaveText(/^≈ 1\d{3} ms$/);
  await page.getByRole('button', { name: 'Reset stats' }).click();

  // Probes every 150 ms for several intervals: their waits cover the whole
  // interval evenly, so p50 lands near T/2 whatever the poll's phase.
  await page.getByRole('spinbutton', { name: 'every' }).fill('150');
  await page.getByRole('spinbutton', { name: 'every' }).press('Enter');
  await page.getByRole('button', { name: 'Start auto-send' }).click();
  // Each pane times its own probes: a quarter of them.
  await expect(pane(page, 'Short polling').locator('[data-stat="count"]')).toHaveText(/^[1-9]\d$/, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Stop auto-send' }).click();

  const shortPollingP50 = await latencyFigure(page, 'Short polling', 'p50');
  const websocketP50 = await latencyFigure(page, 'WebSocket', 'p50');
  test
    .info()
    .annotations.push({ type: 'p50 at T = 2 s', description: `short polling ${shortPollingP50} ms, WebSocket ${websocketP50} ms` });
  expect(shortPollingP50).toBeGreaterThan(500);
  expect(websocketP50).toBeLessThan(shortPollingP50);
});

test('the layout toggle hides a pane without stopping it', async ({ page }, testInfo) => {
  await openLab(page);
  // The Show checkboxes live in the toolbar's Panes menu.
  await page.locator('summary', { hasText: 'Panes' }).click();
  await page.getByRole('checkbox', { name: 'Long polling' }).uncheck();
  await expect(page.getByRole('region')).toHaveCount(PANE_NAMES.length - 1);
  const text = `while hidden ${testInfo.testId.slice(0, 8)}`;
  await sendFrom(page, 'WebSocket', text);
  await expect(pane(page, 'WebSocket').getByText(text, { exact: true })).toHaveCount(1);
  await page.getByRole('checkbox', { name: 'Long polling' }).check();
  await expect(pane(page, 'Long polling').getByText(text, { exact: true })).toHaveCount(1);
});

test('on a phone the panes stack, and large text is remembered', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  // A phone gets the one-pane audience view by default (e2e/lab.spec.ts); ask for all of them.
  await openLab(page, '/?view=projector');
  const boxes = await Promise.all(PANE_NAMES.map((name) => pane(page, name).boundingBox()));
  for (const [index, box] of boxes.entries()) {
    expect(box!.width).toBeLessThanOrEqual(390);
    if (index > 0) expect(box!.y).toBeGreaterThan(boxes[index - 1]!.y + boxes[index - 1]!.height - 1);
  }
  await page.getByRole('checkbox', { name: 'Large text' }).check();
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Large text' })).toBeChecked();
  await expect(page.locator('html')).toHaveClass(/large-text/);
});
