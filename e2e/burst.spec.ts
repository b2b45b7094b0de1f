// A burst from outside the page (the real WebSocket client in Node): every
// pane keeps up and shows only its newest MAX_SHOWN_MESSAGES, and the page
// stays under the browser's six connections per host (the SSE stream and a
// held long poll for good, a short poll, the stats, a send).
import { WebSocket } from 'ws';
import { randomId } from '../dist/src/client/base.js';
import { clientTransports } from '../dist/src/client/index.js';
import type { WebSocketConstructor } from '../dist/src/client/transport.js';
import { MAX_SHOWN_MESSAGES } from '../dist/public/controllers/transport-controller.js';
import { expect, openLab, pane, PANE_NAMES, shownTexts, test, trackRequestsInFlight } from './fixtures.js';

const BURST = MAX_SHOWN_MESSAGES + 50;

test('a burst of messages reaches every pane, which keeps only the newest', async ({ page, serverUrl }, testInfo) => {
  test.setTimeout(10_000 * PANE_NAMES.length);
  await openLab(page);
  // Socket.IO's upgrade briefly has three requests of its own; count from the settled page.
  await expect(pane(page, 'Socket.IO').locator('.detail')).toHaveText('polling -> websocket');
  const requests = trackRequestsInFlight(page);
  const sender = clientTransports.websocket({ baseUrl: serverUrl, WebSocket: WebSocket as unknown as WebSocketConstructor });
  const opened = new Promise<void>((resolve) => sender.on('status', (status) => status === 'open' && resolve()));
  sender.connect();
  try {
    await opened;
    const tag = testInfo.testId.slice(0, 8);
    const texts = Array.from({ length: BURST }, (_, n) => `burst ${tag} #${n + 1}`);
    await Promise.all(texts.map((text) => sender.send({ clientMsgId: randomId(), author: 'burst', text })));
    for (const name of PANE_NAMES) {
      await expect(pane(page, name).locator('.messages .text').last()).toHaveText(texts.at(-1)!);
      await expect(pane(page, name).locator('.messages li')).toHaveCount(MAX_SHOWN_MESSAGES);
      expect(await shownTexts(page, name)).toEqual(texts.slice(-MAX_SHOWN_MESSAGES));
    }
  } finally {
    sender.disconnect();
  }
  testInfo.annotations.push({ type: 'most requests in flight', description: `${requests.max}: ${requests.urls.join(', ')}` });
  expect(requests.max).toBeLessThan(6);
});
