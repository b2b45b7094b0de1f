// Renders latency vs clients (the capacity sweep) as a PNG: uPlot draws it
// in headless Chromium, driven by Playwright.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { chromium } from '@playwright/test';
import { transportStyle, type TransportStyle } from '../public/transport-style.js';
import { chromiumLaunchOptions } from './chromium.js';
import type { BenchReport } from './report.js';

const require = createRequire(import.meta.url);

/** x = every client count any transport reached; one p95 series per transport (null where it has no point). */
function chartData(report: BenchReport): {
  clients: number[];
  series: Array<{ label: string; style: TransportStyle; p95: Array<number | null> }>;
} {
  const clients = [...new Set(report.capacity.flatMap((row) => row.steps.map((step) => step.clients)))].sort((a, b) => a - b);
  const series = report.capacity.map((row) => ({
    label: row.intervalMs === undefined ? row.transport : `${row.transport} (T=${row.intervalMs} ms)`,
    style: transportStyle(row.transport),
    p95: clients.map((count) => row.steps.find((step) => step.clients === count)?.latencyMs.p95 ?? null),
  }));
  return { clients, series };
}

export async function renderChart(report: BenchReport, file: string): Promise<void> {
  if (report.capacity.length === 0) throw new Error('the chart plots the capacity sweep: run the full benchmark');
  const { clients, series } = chartData(report);
  const rate = report.capacity[0]!.rate;
  const options = {
    title: `p95 delivery latency vs connected clients (one sender at ${rate} msg/s, every client receives)`,
    width: 960,
    height: 520,
    scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
    legend: { live: false },
    axes: [{ label: 'connected clients' }, { label: 'p95 latency (ms, log)' }],
    series: [
      { label: 'clients' },
      ...series.map((line) => ({
        label: line.label,
        stroke: line.style.colour,
        dash: line.style.dash,
        width: 2,
        spanGaps: true,
        points: { size: 7 },
      })),
      { label: '500 ms limit', stroke: '#888', dash: [6, 6], width: 1, points: { show: false } },
    ],
  };
  const data = [clients, ...series.map((line) => line.p95), clients.map(() => 500)];
  const html = `<!doctype html><html><head><style>${readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')}
    body { margin: 0; padding: 12px; background: #fff; font-family: sans-serif; }</style></head>
    <body><div id="chart"></div><script>${readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')}</script>
    <script>new uPlot(${JSON.stringify(options)}, ${JSON.stringify(data)}, document.getElementById('chart'));</script></body></html>`;

  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    await page.setContent(html);
    mkdirSync(dirname(file), { recursive: true });
    await page.locator('#chart').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}
