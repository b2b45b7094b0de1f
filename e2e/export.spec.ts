// "Download results" in the real page: after a message from every pane, the
// JSON and the CSV downloads parse, with one row per transport, the pane's
// figures and the lab settings in force.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { TRANSPORT_NAMES } from '../dist/src/chat/transports.js';
import {
  expect,
  openLab,
  PANE_NAMES,
  presenter,
  PRESENTER_TOKEN,
  resetLab,
  sendFrom,
  shownTexts,
  test,
  unlockPresenter,
} from './fixtures.js';

test.afterEach(({ request }) => resetLab(request));

async function download(page: Page, format: 'JSON' | 'CSV'): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    presenter(page)
      .getByRole('button', { name: `Download results as ${format}` })
      .click(),
  ]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

test('the downloads parse as JSON and CSV, a row per transport, with the figures and settings in force', async ({ page, request }) => {
  // Set before the page opens: a change while it runs would start its figures over.
  const response = await request.put('/api/lab', {
    headers: { authorization: `Bearer ${PRESENTER_TOKEN}` },
    data: { addedLatencyMs: { 'long-polling': 50 } },
  });
  expect(response.status()).toBe(200);
  await openLab(page);
  await unlockPresenter(page);
  for (const name of PANE_NAMES) await sendFrom(page, name, `export from ${name}`);
  for (const name of PANE_NAMES) await expect.poll(() => shownTexts(page, name), { timeout: 15_000 }).toHaveLength(PANE_NAMES.length);

  const json = await download(page, 'JSON');
  expect(json.name).toMatch(/^transport-lab-.*\.json$/);
  const results = JSON.parse(json.text) as {
    server: string;
    exportedAt: string;
    settings: { addedLatencyMs: Record<string, number> };
    rows: Array<Record<string, unknown>>;
  };
  expect(results.rows.map((row) => row.transport)).toEqual(TRANSPORT_NAMES);
  expect(results.settings.addedLatencyMs['long-polling']).toBe(50);
  expect(new URL(results.server).origin).toBe(new URL(page.url()).origin);
  expect(Date.parse(results.exportedAt)).toBeGreaterThan(Date.now() - 60_000);
  for (const row of results.rows) {
    // Every pane timed its own message and got every message.
    expect(row.latencySamples, `${String(row.transport)}`).toBe(1);
    expect(row.p50Ms).toEqual(expect.any(Number));
    expect(row.messagesIn).toBe(PANE_NAMES.length);
    expect(row.participants).toEqual(expect.any(Number));
  }

  const csv = await download(page, 'CSV');
  expect(csv.name).toMatch(/^transport-lab-.*\.csv$/);
  // No cell of this run needs quoting: plain split lines and commas.
  const [header, ...lines] = csv.text
    .trimEnd()
    .split('\r\n')
    .map((line) => line.split(','));
  expect(header).toEqual(expect.arrayContaining(['transport', 'p50Ms', 'p95Ms', 'p99Ms', 'requests', 'bytesIn', 'addedLatencyMs']));
  expect(lines.map((line) => line[header!.indexOf('transport')])).toEqual(TRANSPORT_NAMES);
  const longPolling = lines.find((line) => line[0] === 'long-polling')!;
  expect(longPolling[header!.indexOf('addedLatencyMs')]).toBe('50');
  for (const line of lines) expect(Number(line[header!.indexOf('p50Ms')])).toBeGreaterThan(0);
});
