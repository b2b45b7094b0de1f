// A server restart (a new epoch on the same address): every pane reconnects,
// clears its list, says why, and goes on with the new server's messages.
import { expect, openLab, pane, PANE_NAMES, sendFrom, startLabServer, test } from './fixtures.js';

test('after a server restart every pane clears its list, says so, and carries on', async ({ page, consoleErrors }, testInfo) => {
  // While the server is down the browser logs each refused connection, and while it
  // closes each request it answers 503 (an EventSource reconnecting then, for one).
  consoleErrors.allow(
    /ERR_CONNECTION_(REFUSED|RESET)|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING|status of 503|WebSocket connection to .* failed/,
  );
  let server = await startLabServer();
  try {
    await openLab(page, server.url);
    const before = `before the restart ${testInfo.testId.slice(0, 8)}`;
    await sendFrom(page, 'WebSocket', before);
    for (const name of PANE_NAMES) await expect(pane(page, name).getByText(before, { exact: true })).toHaveCount(1);

    await server.close();
    server = await startLabServer(server.port);

    const after = `after the restart ${testInfo.testId.slice(0, 8)}`;
    for (const name of PANE_NAMES) {
      await expect(pane(page, name).locator('.notice')).toHaveText(/^The server restarted: list cleared/, { timeout: 20_000 });
      await expect(pane(page, name).getByText(before, { exact: true })).toHaveCount(0);
    }
    await sendFrom(page, 'Long polling', after);
    for (const name of PANE_NAMES) await expect(pane(page, name).getByText(after, { exact: true })).toHaveCount(1);
  } finally {
    await page.close();
    await server.close();
  }
});
