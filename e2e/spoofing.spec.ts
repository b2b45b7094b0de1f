// Display spoofing (issue 12, finding 6): a right-to-left override in an author
// must not flip the pane's own "via" label, and a Zalgo text (hundreds of
// combining marks) must not paint over the other messages.
import { randomId } from '../dist/src/client/base.js';
import { expect, openLab, pane, test } from './fixtures.js';

test('every user string is isolated and every message box clips what it paints', async ({ page, request }) => {
  await openLab(page);
  const zalgo = `Z${'\u0336\u0353\u0489'.repeat(330)}algo`;
  for (const [author, text] of [
    ['\u202Emallory', 'reversed author'],
    ['zed', zalgo],
  ]) {
    const response = await request.post('/api/short-polling/messages', { data: { clientMsgId: randomId(), author, text } });
    expect(response.status()).toBe(201);
  }
  const messages = pane(page, 'WebSocket').locator('.messages li');
  const spoofed = messages.filter({ hasText: 'reversed author' });
  await expect(spoofed).toHaveCount(1);
  // Author and text are <bdi> (unicode-bidi: isolate): the override ends with them.
  for (const part of ['.author', '.text']) {
    expect(await spoofed.locator(part).evaluate((element) => [element.tagName, getComputedStyle(element).unicodeBidi])).toEqual([
      'BDI',
      'isolate',
    ]);
  }
  await expect(spoofed.locator('.meta')).toHaveText(/^Short polling/);
  const zalgoItem = messages.filter({ hasText: 'algo' });
  await expect(zalgoItem).toHaveCount(1);
  expect(await zalgoItem.evaluate((element) => getComputedStyle(element).overflow)).toBe('hidden');
  await page.setViewportSize({ width: 1280, height: 720 });
  await pane(page, 'WebSocket').screenshot({ path: 'test-results/spoofing-pane.png' });
});
