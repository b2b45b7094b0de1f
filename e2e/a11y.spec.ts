// Accessibility scans (axe-core) of the three views a lesson uses: the main
// page, the presenter bar unlocked with its stats open, and a phone's
// audience view. No serious or critical violation; the charts' text
// alternatives are there with their figures.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { TRANSPORT_NAMES } from '../dist/src/chat/transports.js';
import { expect, openLab, pane, presenter, test, unlockPresenter } from './fixtures.js';

// A scan of the full page takes seconds on a busy 2-core machine.
test.describe.configure({ timeout: 90_000 });

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
}

test('the main view: no serious or critical violation; every chart has a table with its figures', async ({ page }) => {
  await openLab(page);
  await pane(page, 'WebSocket').getByRole('textbox', { name: 'Message' }).fill('timed');
  await pane(page, 'WebSocket').getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(pane(page, 'WebSocket').locator('[data-stat="count"]')).toHaveText('1');
  const chartTable = page.getByRole('table', { name: /Latency, all transports, last minute, as a table/ });
  await expect(chartTable.locator('tbody tr')).toHaveCount(TRANSPORT_NAMES.length);
  await expect(chartTable.locator('tr[data-transport="websocket"] td').first()).toHaveText('1');
  await expect(page.getByRole('table', { name: /On the wire, last 20 s, as a table/ }).locator('tbody tr')).toHaveCount(
    TRANSPORT_NAMES.length,
  );
  await expect(pane(page, 'WebSocket').getByRole('table', { name: 'WebSocket latency, as a table' }).locator('td').first()).toHaveText('1');
  // A still timeline: the scan reads a DOM that holds still.
  await page.getByRole('button', { name: /Pause/ }).click();
  expect(await seriousViolations(page)).toEqual([]);
  // The projector theme too.
  await page.getByRole('checkbox', { name: 'High contrast' }).check();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the presenter bar, unlocked, with the server stats open: no serious or critical violation', async ({ page }) => {
  await openLab(page);
  await unlockPresenter(page);
  await presenter(page).getByRole('button', { name: 'Server stats' }).click();
  await expect(presenter(page).getByRole('table', { name: 'Server stats' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('the audience view: no serious or critical violation', async ({ page }) => {
    await page.goto('/');
    await expect(pane(page, 'WebSocket').locator('.status')).toHaveAttribute('data-status', 'open');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
