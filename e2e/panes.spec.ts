// One pane per transport of the descriptor list: named regions in registry order, every message once in every pane, latency in ms.
import { expect, latencyFigure, openLab, pane, PANE_NAMES, sendFrom, shownTexts, test } from './fixtures.js';

test('shows every transport as a named pane in registry order', async ({ page }) => {
  await openLab(page);
  const regions = page.getByRole('region');
  await expect(regions).toHaveCount(PANE_NAMES.length);
  for (const [index, name] of PANE_NAMES.entries()) {
    await expect(regions.nth(index)).toHaveAttribute('aria-label', name);
  }
  await expect(pane(page, 'Socket.IO').locator('.detail')).not.toBeEmpty();
});

test('a message typed in any pane appears once in every pane, with its latency in ms', async ({ page }, testInfo) => {
  await openLab(page);
  const texts = PANE_NAMES.map((name) => `hello from ${name} ${testInfo.testId.slice(0, 8)}`);
  for (const [index, name] of PANE_NAMES.entries()) await sendFrom(page, name, texts[index]!);

  for (const name of PANE_NAMES) {
    const region = pane(page, name);
    for (const text of texts) await expect(region.getByText(text, { exact: true })).toHaveCount(1);
    // Timed on its own round trip (the default): each pane times the one message it sent.
    await expect(region.locator('[data-stat="count"]')).toHaveText('1');
    for (const stat of ['last', 'p50', 'p95', 'p99', 'max']) {
      await expect(region.locator(`[data-stat="${stat}"]`)).toHaveText(/^\d+(\.\d)? ms$/);
    }
    await expect(region.locator('[data-stat="expected"]')).toHaveText(/^≈ \d+(\.\d)? ms$/);
  }
  // Still once each, after every pane has had time to see a duplicate if there were one.
  for (const name of PANE_NAMES) {
    const shown = await shownTexts(page, name);
    expect(shown.filter((text) => texts.includes(text)).sort()).toEqual([...texts].sort());
    expect(await latencyFigure(page, name, 'p50')).toBeGreaterThan(0);
  }

  const screenshot = testInfo.outputPath('all-panes.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  await testInfo.attach('all panes', { path: screenshot, contentType: 'image/png' });
});
