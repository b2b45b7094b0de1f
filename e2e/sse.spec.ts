// Server-Sent Events in the real browser: the presenter cuts the SSE pane's
// stream (lab drop) and the browser's own EventSource reconnects, resumes with
// Last-Event-ID, and the messages sent meanwhile arrive once, in order. The
// pane shows the EventSource's readyState and counts its own reconnects.
import {
  expect,
  openLab,
  pane,
  presenter,
  PRESENTER_TOKEN,
  resetLab,
  sendFrom,
  shownTexts,
  test,
  trackRequestsInFlight,
  unlockPresenter,
} from './fixtures.js';

test.afterEach(({ request }) => resetLab(request));

test("a dropped SSE stream is resumed by the browser's own EventSource: what was sent meanwhile arrives once, in order", async ({
  page,
  consoleErrors,
}, testInfo) => {
  // The browser reports the cut stream (a network failure is what the drop plays).
  consoleErrors.allow(/ERR_INCOMPLETE_CHUNKED_ENCODING/);
  await openLab(page);
  const sse = pane(page, 'Server-Sent Events');
  await expect(sse.locator('.detail')).toHaveText('readyState OPEN · 0 own reconnects');
  await unlockPresenter(page);
  // The stream is down for the EventSource's retry (1 s) and its new request: delay that request (the lab's
  // added latency, taken when it arrives) so the sends surely fall in the gap.
  const response = await page.request.put('/api/lab', {
    headers: { authorization: `Bearer ${PRESENTER_TOKEN}` },
    data: { addedLatencyMs: { sse: 4000 } },
  });
  expect(response.status()).toBe(200);

  const tag = testInfo.testId.slice(0, 8);
  const texts = [1, 2, 3].map((n) => `sent during the cut ${n} ${tag}`);
  await page.getByRole('button', { name: 'Drop Server-Sent Events connections' }).click();
  await expect(presenter(page).getByRole('status')).toContainText(/Server-Sent Events: \d+ connections? cut/);
  await expect(sse.locator('.status')).toHaveAttribute('data-status', 'reconnecting');
  await expect(sse.locator('.detail')).toHaveText('readyState CONNECTING · 1 own reconnect');
  // One WebSocket connection keeps their order.
  for (const text of texts) await sendFrom(page, 'WebSocket', text);
  for (const text of texts) await expect(pane(page, 'WebSocket').getByText(text, { exact: true })).toHaveCount(1);
  // Latency off before the delayed request is let in: the catch-up itself is not delayed.
  await resetLab(page.request);

  // Back by itself (no code of ours reopened it), caught up exactly once, in order.
  await expect(sse.locator('.status')).toHaveAttribute('data-status', 'open');
  await expect(sse.locator('.detail')).toHaveText('readyState OPEN · 1 own reconnect');
  for (const text of texts) await expect(sse.getByText(text, { exact: true })).toHaveCount(1);
  expect((await shownTexts(page, 'Server-Sent Events')).filter((text) => texts.includes(text))).toEqual(texts);
  await expect(sse.locator('.notice')).toHaveText('Caught up: 3 messages missed while away');
});

test('with every pane open the page keeps a connection free: a send from the SSE pane goes out at once', async ({ page }, testInfo) => {
  await openLab(page);
  await expect(pane(page, 'Socket.IO').locator('.detail')).toHaveText('polling -> websocket');
  // Browsers allow six HTTP/1.1 connections per host: the SSE stream and the held long poll take two for good.
  const requests = trackRequestsInFlight(page);
  const text = `prompt send ${testInfo.testId.slice(0, 8)}`;
  const sentAt = Date.now();
  await sendFrom(page, 'Server-Sent Events', text);
  for (const name of ['Server-Sent Events', 'WebSocket', 'Long polling']) {
    await expect(pane(page, name).getByText(text, { exact: true })).toHaveCount(1);
  }
  testInfo.annotations.push({ type: 'most requests in flight', description: `${requests.max}: ${requests.urls.join(', ')}` });
  expect(requests.max).toBeLessThan(6);
  // Not queued behind held requests (that would take a long-poll hold, 25 s).
  expect(Date.now() - sentAt).toBeLessThan(10_000);
});
