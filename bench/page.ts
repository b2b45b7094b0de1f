// `npm run bench:page`: does the presenter page keep up with a lively room?
// A server on port 0 and a crowd of real Node clients (src/client/, mixed
// transports, about 1 message/s each) in this process; the presenter page
// (1920×1080, Presenter panel unlocked, auto-send on) in Chromium, launched as
// the browser tests launch it. Measures frames per second and the frame-time
// p95 with a requestAnimationFrame loop, several runs, and reports the median.
// Goal (issue 11): ≥ 50 fps, p95 ≤ 20 ms with 40 clients.
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { randomToken } from '../src/lab/token.js';
import { buildServer } from '../src/server.js';
import { chromiumLaunchOptions } from './chromium.js';
import { measureFrames, startCrowd, type FrameStats } from './page-load.js';

const HELP = `Usage: npm run bench:page -- [options]   (or: node dist/bench/page.js [options] after npm run build)

Opens the presenter page in Chromium while Node clients chat into the same
server, and measures the page's frame rate (requestAnimationFrame).

  --clients N     Node clients, the transports taken in turn (default 40)
  --rate R        messages per second per client (default 1)
  --duration S    measured seconds per run (default 20)
  --warmup S      seconds before measuring, once everything is connected (default 5)
  --runs N        runs; the report gives each and the median (default 3)
  --json FILE     also write the runs and the median as JSON to FILE
  --trace FILE    also record a Chromium performance trace of the first run's
                  measured window to FILE (open it in DevTools' Performance panel;
                  tracing itself costs frames, so that run's figures read low)
  -h, --help      print this help`;

interface Args {
  clients: number;
  rate: number;
  durationS: number;
  warmupS: number;
  runs: number;
  json: string | undefined;
  trace: string | undefined;
}

function parse(): Args | null {
  const { values } = parseArgs({
    strict: true,
    options: {
      clients: { type: 'string', default: '40' },
      rate: { type: 'string', default: '1' },
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      runs: { type: 'string', default: '3' },
      json: { type: 'string' },
      trace: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const positive = (name: string, raw: string): number => {
    const value = Number(raw);
    if (!(value > 0)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
    return value;
  };
  return {
    clients: Math.round(positive('clients', values.clients)),
    rate: positive('rate', values.rate),
    durationS: positive('duration', values.duration),
    warmupS: Number(values.warmup),
    runs: Math.round(positive('runs', values.runs)),
    json: values.json,
    trace: values.trace,
  };
}

interface RunResult extends FrameStats {
  /** Messages the crowd had sent by the end of the window (accepted), and per second while measured. */
  crowdMessagesPerSec: number;
  /** The 1-minute load average when the run started and ended. */
  loadBefore: number;
  loadAfter: number;
}

/** What the trace records: the renderer's timeline (scripts, style, layout, paint, raster) and V8's samples. */
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler',
];

async function run(args: Args, tracePath: string | undefined): Promise<RunResult> {
  const token = randomToken();
  const app = await buildServer({ logLevel: 'silent', presenterToken: token });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const loadBefore = loadavg()[0]!;
  const crowd = startCrowd(baseUrl, args.clients, args.rate);
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${baseUrl}/?view=projector`);
    await page.locator('transport-pane .status[data-status="open"]').nth(4).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Presenter' }).click();
    await page.getByLabel('Presenter token').fill(token);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('checkbox', { name: /Block WebSocket/ }).waitFor();
    await page.getByRole('button', { name: 'Start auto-send' }).click();
    await page.waitForTimeout(args.warmupS * 1000);
    const sentBefore = crowd.sent();
    if (tracePath) await browser.startTracing(page, { path: tracePath, categories: TRACE_CATEGORIES });
    const frames = await measureFrames(page, args.durationS * 1000);
    if (tracePath) await browser.stopTracing();
    const crowdMessagesPerSec = (crowd.sent() - sentBefore) / args.durationS;
    return { ...frames, crowdMessagesPerSec, loadBefore, loadAfter: loadavg()[0]! };
  } finally {
    crowd.stop();
    await browser.close();
    await app.close();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const args = parse();
if (!args) {
  console.log(HELP);
} else {
  const results: RunResult[] = [];
  console.log(`${args.clients} clients at ${args.rate} msg/s each; ${args.runs} runs of ${args.durationS} s; ${cpus().length} cores`);
  for (let index = 0; index < args.runs; index++) {
    const result = await run(args, index === 0 ? args.trace : undefined);
    results.push(result);
    console.log(
      `run ${index + 1}: ${result.fps.toFixed(1)} fps, frame p95 ${result.frameP95Ms.toFixed(1)} ms, ` +
        `${result.longTasks} long tasks (${Math.round(result.longTaskMs)} ms), crowd ${result.crowdMessagesPerSec.toFixed(1)} msg/s, ` +
        `load ${result.loadBefore.toFixed(2)} -> ${result.loadAfter.toFixed(2)}`,
    );
  }
  const summary = {
    fps: median(results.map((result) => result.fps)),
    frameP95Ms: median(results.map((result) => result.frameP95Ms)),
    longTasks: median(results.map((result) => result.longTasks)),
  };
  const met = summary.fps >= 50 && summary.frameP95Ms <= 20;
  console.log(
    `median: ${summary.fps.toFixed(1)} fps, frame p95 ${summary.frameP95Ms.toFixed(1)} ms: goal (≥ 50 fps, p95 ≤ 20 ms) ${met ? 'met' : 'missed'}`,
  );
  if (args.json)
    writeFileSync(args.json, JSON.stringify({ args, cores: cpus().length, runs: results, median: summary, met }, null, 2) + '\n');
}
