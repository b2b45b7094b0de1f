// The page as a projector slide: no sideways scroll at any size from a phone
// to 1080p, with or without Large text; with the presenter bar open, the
// comparison view and every pane's p50 on one screen; the panes' rows line up.
// SCREENSHOTS=1 retakes docs/presenter-*.png and docs/phone-390.png.
import type { Page } from '@playwright/test';
import { expect, openLab, pane, PANE_NAMES, presenter, resetLab, test, unlockPresenter } from './fixtures.js';

const SCREENSHOTS = !!process.env.SCREENSHOTS;

test.afterEach(({ request }) => resetLab(request));

/** The page's own width against what it would scroll to, and any pane part that sticks out of its pane. */
async function overflow(page: Page): Promise<{ page: { scroll: number; client: number }; outside: string[] }> {
  return page.evaluate(() => {
    const outside: string[] = [];
    for (const section of document.querySelectorAll<HTMLElement>('.pane')) {
      const box = section.getBoundingClientRect();
      for (const part of section.querySelectorAll<HTMLElement>('button, input, select, h2, .key-figures')) {
        const rect = part.getBoundingClientRect();
        if (rect.width > 0 && (rect.right > box.right + 0.5 || rect.left < box.left - 0.5)) {
          outside.push(
            `${section.getAttribute('aria-label')}: ${part.tagName.toLowerCase()}.${part.className} ${rect.left}-${rect.right} of ${box.left}-${box.right}`,
          );
        }
      }
    }
    const root = document.documentElement;
    return { page: { scroll: root.scrollWidth, client: root.clientWidth }, outside };
  });
}

async function autoSend(page: Page, everyMs: number): Promise<void> {
  await page.getByRole('spinbutton', { name: 'every' }).fill(String(everyMs));
  await page.getByRole('spinbutton', { name: 'every' }).press('Enter');
  await page.getByRole('button', { name: 'Start auto-send' }).click();
}

for (const [width, height] of [
  [1920, 1080],
  [1280, 720],
  [360, 740],
] as const) {
  for (const largeText of [false, true]) {
    test(`no horizontal scroll at ${width}×${height}${largeText ? ' with Large text' : ''}, presenter bar shut or open`, async ({
      page,
    }) => {
      await page.setViewportSize({ width, height });
      if (largeText) await page.addInitScript(() => localStorage.setItem('transport-lab.large-text', 'on'));
      // Every pane, even on a phone-sized screen (where the audience view is the default).
      await openLab(page, '/?view=projector');
      await sendFromEach(page);
      const shut = await overflow(page);
      expect(shut.page.scroll, JSON.stringify(shut)).toBeLessThanOrEqual(shut.page.client);
      expect(shut.outside).toEqual([]);
      await unlockPresenter(page);
      const open = await overflow(page);
      expect(open.page.scroll, JSON.stringify(open)).toBeLessThanOrEqual(open.page.client);
      expect(open.outside).toEqual([]);
    });
  }
}

/** A long line in every pane's list (one message reaches them all), as in a lesson. */
async function sendFromEach(page: Page): Promise<void> {
  const text = 'a longer line of chat, so that every list has something to wrap, and a long-word-without-spaces-to-break-too';
  const composer = pane(page, 'WebSocket').getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
  for (const name of PANE_NAMES) await expect(pane(page, name).getByText(text, { exact: true })).toHaveCount(1, { timeout: 20_000 });
}

for (const largeText of [false, true]) {
  test(`the audience view at 360×740${largeText ? ' with Large text' : ''} does not scroll sideways`, async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 740 });
    if (largeText) await page.addInitScript(() => localStorage.setItem('transport-lab.large-text', 'on'));
    await page.goto('/');
    await expect(pane(page, 'WebSocket').locator('.status')).toHaveAttribute('data-status', 'open');
    const { page: root, outside } = await overflow(page);
    expect(root.scroll).toBeLessThanOrEqual(root.client);
    expect(outside).toEqual([]);
  });
}

for (const [width, height] of [
  [1920, 1080],
  [1280, 720],
] as const) {
  test.describe(`at ${width}×${height}`, () => {
    test.use({ viewport: { width, height } });

    test("with the presenter bar open, the comparison view, every pane's p50 and the bar's controls are on one screen", async ({
      page,
    }) => {
      test.setTimeout(SCREENSHOTS ? 120_000 : 60_000);
      await openLab(page);
      if (SCREENSHOTS) {
        await autoSend(page, 300);
        await page.waitForTimeout(25_000);
        if (width === 1920) await shot(page, 'docs/presenter-1920.png');
      }
      await unlockPresenter(page);
      const inView = async () => {
        const boxes = [
          await page.locator('.comparison').boundingBox(),
          ...(await Promise.all(PANE_NAMES.map((name) => pane(page, name).locator('[data-stat="p50"]').boundingBox()))),
          await presenter(page).getByRole('button', { name: 'Drop Server-Sent Events connections' }).boundingBox(),
          await presenter(page)
            .getByRole('checkbox', { name: /Block WebSocket/ })
            .boundingBox(),
        ];
        return boxes.every((box) => box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= height && box.x + box.width <= width);
      };
      // The chart gives the bar its room once the bar's height is known (a resize, a frame or two).
      await expect.poll(inView, { timeout: 10_000 }).toBe(true);
      // The panes' rows line up: every chart starts at the same height.
      const chartTops = await page
        .locator('latency-chart')
        .evaluateAll((charts) => charts.map((chart) => chart.getBoundingClientRect().top));
      expect(Math.max(...chartTops) - Math.min(...chartTops), JSON.stringify(chartTops)).toBeLessThanOrEqual(1);
      if (SCREENSHOTS) await shot(page, `docs/presenter-bar-${width}.png`);
      if (SCREENSHOTS) await page.getByRole('button', { name: 'Stop auto-send' }).click();
    });
  });
}

test.describe('a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('screenshot of the audience view after auto-send', async ({ page }) => {
    test.skip(!SCREENSHOTS, 'SCREENSHOTS=1 only');
    test.setTimeout(60_000);
    await page.goto('/');
    await expect(pane(page, 'WebSocket').locator('.status')).toHaveAttribute('data-status', 'open');
    await page.getByRole('button', { name: 'Start auto-send' }).click();
    await expect(pane(page, 'WebSocket').locator('[data-stat="count"]')).toHaveText(/^([5-9]|\d\d+)$/, { timeout: 30_000 });
    await shot(page, 'docs/phone-390.png');
    await page.getByRole('button', { name: 'Stop auto-send' }).click();
  });
});

async function shot(page: Page, path: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path });
}
