// Honest state: a pane's notes follow what its connection does (blocked,
// dropped, on polling, rate limited with the retry time), and a message sent
// while it cannot go out shows as pending until the server acknowledges it.
import { expect, openLab, pane, PANE_NAMES, PRESENTER_TOKEN, resetLab, sendFrom, startLabServer, test } from './fixtures.js';
import type { APIRequestContext } from '@playwright/test';

test.afterEach(({ request }) => resetLab(request));

const presenterHeaders = { authorization: `Bearer ${PRESENTER_TOKEN}` };

async function block(request: APIRequestContext, on: boolean): Promise<void> {
  expect((await request.put('/api/lab', { headers: presenterHeaders, data: { blockWebSocket: on } })).status()).toBe(200);
}

async function drop(request: APIRequestContext, transport: string): Promise<void> {
  expect((await request.post('/api/lab/drop', { headers: presenterHeaders, data: { transport } })).status()).toBe(200);
}

test('blocked WebSocket: the pane says it is not connected (never "In sync"), and a message sent meanwhile is pending until it goes out', async ({
  page,
  request,
  consoleErrors,
}, testInfo) => {
  consoleErrors.allow(/WebSocket connection to .* failed/);
  await openLab(page);
  const websocket = pane(page, 'WebSocket');
  await expect(websocket.locator('.notice')).toHaveText('In sync');
  await block(request, true);
  // Connected before the block: the note says so.
  await expect(websocket.getByRole('note')).toContainText('opened before the block');
  await drop(request, 'websocket');
  await expect(websocket.locator('.status')).toHaveAttribute('data-status', 'reconnecting');
  await expect(websocket.locator('.notice')).toContainText('Not connected');
  await expect(websocket.getByRole('note')).toContainText('cannot connect');

  const text = `while blocked ${testInfo.testId.slice(0, 8)}`;
  await sendFrom(page, 'WebSocket', text);
  await expect(websocket.getByRole('textbox', { name: 'Message' })).toHaveValue('');
  const pending = websocket.locator('.messages .pending');
  await expect(pending).toHaveCount(1);
  await expect(pending).toContainText(text);
  await expect(pending).toContainText('⏳');

  await block(request, false);
  await expect(websocket.locator('.status')).toHaveAttribute('data-status', 'open', { timeout: 15_000 });
  await expect(websocket.getByText(text, { exact: true })).toHaveCount(1);
  await expect(pending).toHaveCount(0);
  await expect(websocket.locator('.notice')).not.toContainText('Not connected');
});

test("Socket.IO's note follows the drop: from 'drop to see it' to 'stays on polling'", async ({ page, request, consoleErrors }) => {
  consoleErrors.allow(/WebSocket connection to .* failed/);
  await openLab(page);
  const socketio = pane(page, 'Socket.IO');
  await expect(socketio.locator('.detail')).toHaveText('polling -> websocket');
  await block(request, true);
  await expect(socketio.getByRole('note')).toContainText('drop Socket.IO connections to see it');
  await drop(request, 'socketio');
  await expect(socketio.locator('.detail')).toHaveText('polling', { timeout: 15_000 });
  await expect(socketio.getByRole('note')).toContainText('stays on HTTP long polling');
  await expect(socketio.getByRole('note')).not.toContainText('drop Socket.IO connections to see it');
});

test('a pane auto-sending faster than the send rate limit says it is limited, and until when', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 429/);
  // A server of its own with a low limit (the shared one has it off).
  const server = await startLabServer(0, { rateLimit: true, sendRatePerClient: 1, sendBurstPerClient: 2 });
  try {
    await openLab(page, server.url);
    for (const name of PANE_NAMES.filter((each) => each !== 'Long polling')) {
      await pane(page, name).getByRole('checkbox', { name: 'Connected' }).uncheck();
    }
    await page.getByRole('spinbutton', { name: 'every' }).fill('100');
    await page.getByRole('spinbutton', { name: 'every' }).press('Enter');
    await page.getByRole('button', { name: 'Start auto-send' }).click();
    const longPolling = pane(page, 'Long polling');
    await expect(longPolling.locator('.limited')).toContainText(/Rate limited: .* next try goes in \d+\.\d s \(at \d\d:\d\d:\d\d\)/);
    await expect(longPolling.locator('.messages .pending').filter({ hasText: 'rate limited, retry in' }).first()).toBeAttached();
    await page.getByRole('button', { name: 'Stop auto-send' }).click();
    // The queue drains at the limit's pace; the note goes with it.
    await expect(longPolling.locator('.limited')).toHaveCount(0, { timeout: 30_000 });
  } finally {
    await page.close();
    await server.close();
  }
});
