// Phones take part: the audience view auto-sends, shows each send as pending
// until the server has it, and shows the expected value from the start.
import { expect, pane, PRESENTER_TOKEN, resetLab, sendFrom, test } from './fixtures.js';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
test.afterEach(({ request }) => resetLab(request));

test('expected from the start, auto-send times its own messages, and stops', async ({ page }) => {
  await page.goto('/');
  const websocket = pane(page, 'WebSocket');
  await expect(websocket.locator('.status')).toHaveAttribute('data-status', 'open');
  // Before anything is sent: the round trip of the handshake gives it.
  await expect(websocket.locator('[data-stat="expected"]')).toHaveText(/^≈ \d+(\.\d)? ms$/);
  await expect(websocket.locator('[data-stat="count"]')).toHaveText('0');
  await expect(websocket.locator('[data-stat="room-p50"]')).toHaveText('send once');
  await page.getByRole('button', { name: 'Start auto-send' }).click();
  await expect(page.getByRole('button', { name: 'Stop auto-send' })).toHaveAttribute('aria-pressed', 'true');
  await expect(websocket.locator('[data-stat="count"]')).toHaveText(/^([2-9]|\d\d+)$/, { timeout: 20_000 });
  await expect(websocket.locator('[data-stat="p50"]')).toHaveText(/^\d+(\.\d)? ms$/);
  // Its own messages matched its clock to the server's: the room's messages are timed from the server to here.
  await expect(websocket.locator('[data-stat="room-p50"]')).toHaveText(/^\d+(\.\d)? ms$/);
  await page.getByRole('button', { name: 'Stop auto-send' }).click();
  await expect(page.getByRole('button', { name: 'Start auto-send' })).toHaveAttribute('aria-pressed', 'false');
});

test('a send is pending (⏳) until the server has it, then ✓ until it is back, then the message', async ({ page, request }, testInfo) => {
  await page.goto('/');
  const websocket = pane(page, 'WebSocket');
  await expect(websocket.locator('.status')).toHaveAttribute('data-status', 'open');
  // A slow link: 1.5 s each way, so the pending sign is there long enough to see.
  const slow = await request.put('/api/lab', {
    headers: { authorization: `Bearer ${PRESENTER_TOKEN}` },
    data: { addedLatencyMs: { websocket: 1500 } },
  });
  expect(slow.status()).toBe(200);
  const text = `from a slow phone ${testInfo.testId.slice(0, 8)}`;
  await sendFrom(page, 'WebSocket', text);
  const pending = websocket.locator('.messages .pending');
  await expect(pending).toContainText(text);
  await expect(pending).toContainText('⏳');
  await expect(websocket.getByText(text, { exact: true })).toHaveCount(1, { timeout: 15_000 });
  await expect(pending).toHaveCount(0);
});
