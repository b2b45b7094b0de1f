// Renders latency vs clients (the capacity sweep) as a PNG: uPlot draws it
// in headless Chromium, driven by Playwright.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BenchReport } from './report.js';

export async function renderChart(report: BenchReport, file: string): Promise<void> {
  throw new Error(`not yet: ${report.capacity.length} ${file} ${typeof readFileSync} ${typeof createRequire}`);
}
