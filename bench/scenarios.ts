// The three measurements: fixed rate, saturation, capacity sweep. Each runs
// against a fresh server process.
import { descriptorOf, type TransportName } from '../src/chat/transports.js';
import { Crowd } from './crowd.js';
import { createHttpClient, type HttpClientName } from './http-clients.js';
import { round, type LatencySummary, type Ledger, type LedgerCounts } from './ledger.js';
import { sleep, startMeter, waitUntil, type Window } from './meter.js';
import { status, step } from './progress.js';
import { ServerHandle, type Pinning, type ServerKind } from './server-handle.js';

/** Above this share of its core the load generator, not the server, may be what was measured. */
export const CLIENT_BOUND_PCT = 80;
/** At saturation, a server whose event loop was busier than this never waited for the load generator. */
export const SERVER_SATURATED_LOOP_PCT = 95;

export interface Context {
  pinning: Pinning;
  cpuProfDir: string | undefined;
  /** What the HTTP transports' clients fetch with. */
  httpClient: HttpClientName;
}

export interface FixedRateResult extends LedgerCounts, Loads {
  transport: TransportName;
  clients: number;
  rate: number;
  intervalMs?: number;
  /** Short polling only: T/2, what p50 should be. */
  expectedP50Ms?: number;
  latencyMs: LatencySummary;
  /** HTTP requests and wire bytes over the measured window. */
  requests: number;
  wireBytes: number;
  httpRequestsPerDelivery: number;
  wireBytesPerDelivery: number;
  serverCpuUsPerDelivery: number;
  rssBytesPerClient: number;
  /**
   * Load-generator CPU per HTTP request the server saw (poll answers and sends); polling transports only (a push
   * transport's few requests are its sends: its load-generator CPU goes on frames, and per request it means nothing).
   */
  loadGeneratorCpuUsPerRequest?: number;
}

export interface FixedRatePlan {
  clients: number;
  rate: number;
  durationS: number;
  /** Short polling's interval T. */
  intervalMs: number;
}

/** Runs `body` against a fresh server and a crowd of `clients`, then tears both down. */
async function withCrowd<T>(
  context: Context,
  kind: ServerKind,
  transport: TransportName,
  intervalMs: number,
  body: (crowd: Crowd, server: ServerHandle) => Promise<T>,
): Promise<T> {
  const server = await ServerHandle.start(kind, context.pinning, context.cpuProfDir);
  const http = createHttpClient(context.httpClient);
  const crowd = new Crowd({
    transport,
    baseUrl: server.baseUrl,
    intervalMs,
    fetch: http.fetch,
    EventSource: http.EventSource,
    onProgress: (connected, target) => status(`  ${label(kind, transport)}: ${connected}/${target} clients connected`),
  });
  try {
    return await body(crowd, server);
  } finally {
    crowd.disconnect();
    await http.close();
    await server.stop();
  }
}

export const label = (kind: ServerKind, transport: TransportName): string => (kind === 'ours' ? transport : kind);

/** Sends at `rate` for `durationS` from client 0 and waits for every delivery (or the drain timeout). */
async function sendAtRate(crowd: Crowd, ledger: Ledger, rate: number, durationS: number, drainMs: number, what: string): Promise<void> {
  const count = Math.max(1, Math.round(rate * durationS));
  const sends: Promise<unknown>[] = [];
  const startedAt = performance.now();
  for (let index = 0; index < count; index++) {
    const wait = startedAt + (index * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(crowd.sender.send(ledger.nextInput()));
    status(`  ${what}: sent ${index + 1}/${count}, delivered ${ledger.delivered}/${ledger.expected}`);
  }
  await Promise.all(sends);
  await waitUntil(() => {
    status(`  ${what}: draining, delivered ${ledger.delivered}/${ledger.expected}`);
    return ledger.delivered >= ledger.expected;
  }, drainMs);
}

export async function fixedRate(
  context: Context,
  kind: ServerKind,
  transport: TransportName,
  plan: FixedRatePlan,
): Promise<FixedRateResult> {
  const isShort = transport === 'short-polling';
  return withCrowd(context, kind, transport, plan.intervalMs, async (crowd, server) => {
    const idle = await server.stats(true);
    await crowd.growTo(plan.clients, isShort ? plan.intervalMs : 0);
    const loaded = await server.stats(true);
    await sleep(isShort ? plan.intervalMs : 200); // let every poll loop reach its steady state
    const ledger = crowd.newLedger();
    const meter = await startMeter(server);
    const drainMs = 5000 + (isShort ? 2 * plan.intervalMs : 0);
    await sendAtRate(crowd, ledger, plan.rate, plan.durationS, drainMs, `fixed-rate ${label(kind, transport)}`);
    const window = await meter.stop();
    const counts = ledger.counts();
    const per = (value: number, digits = 2): number => round(value / Math.max(1, counts.delivered), digits);
    const result: FixedRateResult = {
      transport,
      clients: plan.clients,
      rate: plan.rate,
      ...(isShort && { intervalMs: plan.intervalMs, expectedP50Ms: plan.intervalMs / 2 }),
      ...counts,
      latencyMs: ledger.latencyMs(),
      requests: window.requests,
      wireBytes: window.wireBytes,
      httpRequestsPerDelivery: per(window.requests, 3),
      wireBytesPerDelivery: per(window.wireBytes, 1),
      serverCpuUsPerDelivery: per(window.serverCpuUs, 1),
      rssBytesPerClient: Math.round((loaded.rssBytes - idle.rssBytes) / plan.clients),
      ...(descriptorOf(transport).kind === 'poll' &&
        window.requests > 0 && { loadGeneratorCpuUsPerRequest: round(window.loadGeneratorCpuUs / window.requests, 1) }),
      ...loads(window),
    };
    step(
      `fixed-rate ${label(kind, transport)}: ${plan.clients} clients x ${plan.rate} msg/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, lost ${counts.lost} (${describeLoads(result)})`,
    );
    return result;
  });
}

export interface Loads {
  serverCpuPct: number;
  /** Share of the window the server's event loop was busy (not waiting for I/O): near 100 %, the server was what limited. */
  serverLoopBusyPct: number;
  loadGeneratorCpuPct: number;
  /** The load generator used more than CLIENT_BOUND_PCT of its core: it may be what was measured. */
  clientBound: boolean;
  /** Share of the window spent waiting for a core held by another process (noise from neighbours). */
  serverRunQueueWaitPct: number;
  loadGeneratorRunQueueWaitPct: number;
}

const loads = (window: Window): Loads => ({
  serverCpuPct: round(window.serverCpuPct, 1),
  serverLoopBusyPct: round(window.serverLoopBusyPct, 1),
  loadGeneratorCpuPct: round(window.loadGeneratorCpuPct, 1),
  clientBound: window.loadGeneratorCpuPct > CLIENT_BOUND_PCT,
  serverRunQueueWaitPct: round(window.serverRunQueueWaitPct, 1),
  loadGeneratorRunQueueWaitPct: round(window.loadGeneratorRunQueueWaitPct, 1),
});

/** CPU use and CPU waits of both sides, in one line. */
export function describeLoads(loads: Loads): string {
  return (
    `server CPU ${loads.serverCpuPct}%, loop busy ${loads.serverLoopBusyPct}%, waited ${loads.serverRunQueueWaitPct}%; ` +
    `load generator CPU ${loads.loadGeneratorCpuPct}%, waited ${loads.loadGeneratorRunQueueWaitPct}%`
  );
}

export interface SaturationPlan {
  clients: number;
  /** Short polling's interval T: short, so polls carry few messages and the server has work. */
  shortPollIntervalMs: number;
  /** Broadcasts sent but not yet delivered to every client. */
  inFlight: number;
  warmupS: number;
  durationS: number;
}

export interface SaturationResult extends LedgerCounts, Loads {
  server: ServerKind;
  transport: TransportName;
  clients: number;
  deliveriesPerSec: number;
  serverCpuUsPerDelivery: number;
  wireBytesPerDelivery: number;
  httpRequestsPerDelivery: number;
  /** 1e6 / serverCpuUsPerDelivery: what one full core would deliver; robust against neighbours taking CPU time. */
  deliveriesPerCpuSecond: number;
  /** The load generator's CPU (every client, the sender too) per delivery: what receiving costs the harness. */
  loadGeneratorCpuUsPerDelivery: number;
}

/**
 * Keeps `inFlight` broadcasts on their way (a new one when the oldest has
 * reached every client) so the server never waits for work, and counts
 * deliveries over a window after a warm-up.
 */
export async function saturation(
  context: Context,
  kind: ServerKind,
  transport: TransportName,
  plan: SaturationPlan,
): Promise<SaturationResult> {
  const intervalMs = plan.shortPollIntervalMs;
  return withCrowd(context, kind, transport, intervalMs, async (crowd, server) => {
    await crowd.growTo(plan.clients, transport === 'short-polling' ? intervalMs : 0);
    const ledger = crowd.newLedger();
    const sends: Promise<unknown>[] = [];
    let stopSending = false;
    const sender = (async () => {
      while (!stopSending) {
        if (ledger.sent - ledger.completed < plan.inFlight) sends.push(crowd.sender.send(ledger.nextInput()));
        else await ledger.nextCompletion();
      }
    })();
    const what = `saturation ${label(kind, transport)}`;
    await sleep(plan.warmupS * 1000);
    const deliveredBefore = ledger.delivered;
    const meter = await startMeter(server);
    for (let second = 0; second < plan.durationS; second++) {
      await sleep(1000);
      status(`  ${what}: ${second + 1}/${plan.durationS} s, ${ledger.delivered} deliveries`);
    }
    const window = await meter.stop();
    const deliveries = ledger.delivered - deliveredBefore;
    stopSending = true;
    await sender; // wakes at the next completed broadcast
    await Promise.all(sends);
    await waitUntil(() => ledger.delivered >= ledger.expected, 10_000);
    const result: SaturationResult = {
      server: kind,
      transport,
      clients: plan.clients,
      ...ledger.counts(),
      deliveriesPerSec: Math.round(deliveries / (window.wallMs / 1000)),
      serverCpuUsPerDelivery: round(window.serverCpuUs / Math.max(1, deliveries), 2),
      wireBytesPerDelivery: round(window.wireBytes / Math.max(1, deliveries), 1),
      httpRequestsPerDelivery: round(window.requests / Math.max(1, deliveries), 3),
      deliveriesPerCpuSecond: Math.round((deliveries / Math.max(1, window.serverCpuUs)) * 1e6),
      loadGeneratorCpuUsPerDelivery: round(window.loadGeneratorCpuUs / Math.max(1, deliveries), 2),
      ...loads(window),
      clientBound: saturationClientBound(window),
    };
    step(`${what}: ${result.deliveriesPerSec} deliveries/s (${describeLoads(result)})`);
    return result;
  });
}

/**
 * At saturation a busy load generator is what limited only if the server
 * waited for it: a server whose event loop was never idle is what was
 * measured. (A generator with time to spare reads each socket as soon as
 * anything arrives, so it spends that time on more, smaller reads and its
 * CPU share stays high even when it is not what limits: docs/benchmarks.md.)
 */
export const saturationClientBound = (window: Pick<Window, 'loadGeneratorCpuPct' | 'serverLoopBusyPct'>): boolean =>
  window.loadGeneratorCpuPct > CLIENT_BOUND_PCT && window.serverLoopBusyPct < SERVER_SATURATED_LOOP_PCT;

export interface CapacityPlan {
  steps: number[];
  rate: number;
  durationS: number;
  intervalMs: number;
  p95LimitMs: number;
  /** Stop stepping up after this long. */
  budgetS: number;
  /** File descriptors the load generator may hold. */
  fdLimit: number;
}

export interface CapacityStep extends LedgerCounts, Loads {
  clients: number;
  latencyMs: LatencySummary;
}

export interface CapacityResult {
  transport: TransportName;
  maxClientsP95Under500ms: number;
  limitedBy: string;
  rate: number;
  intervalMs?: number;
  steps: CapacityStep[];
}

/** Adds clients step by step until p95 exceeds the limit, a delivery is lost, or a resource runs out. */
export async function capacity(context: Context, transport: TransportName, plan: CapacityPlan): Promise<CapacityResult> {
  const isShort = transport === 'short-polling';
  return withCrowd(context, 'ours', transport, plan.intervalMs, async (crowd, server) => {
    const steps: CapacityStep[] = [];
    const deadline = performance.now() + plan.budgetS * 1000;
    let passed = 0;
    let limitedBy = `largest step tried (${plan.steps.at(-1)} clients)`;
    for (const clients of plan.steps) {
      if (clients > plan.fdLimit) {
        limitedBy = `file-descriptor limit of the load generator (${plan.fdLimit + FD_RESERVE}, hard limit, cannot be raised here) before ${clients} clients`;
        break;
      }
      if (performance.now() > deadline) {
        limitedBy = `time budget (${plan.budgetS} s) before ${clients} clients`;
        break;
      }
      try {
        await crowd.growTo(clients, isShort ? plan.intervalMs : 0);
      } catch (error) {
        limitedBy = `connecting ${clients} clients failed: ${(error as Error).message}`;
        break;
      }
      let result = await capacityStep(crowd, server, clients, plan);
      // A miss while a neighbour held our cores says little about us: measure that step once more.
      if (failsStep(result, plan) && Math.max(result.serverRunQueueWaitPct, result.loadGeneratorRunQueueWaitPct) > NOISY_WAIT_PCT) {
        step(`  (noisy: ${describeLoads(result)}; measuring ${clients} again)`);
        result = await capacityStep(crowd, server, clients, plan);
      }
      steps.push(result);
      if (failsStep(result, plan)) {
        const why =
          result.lost > 0
            ? `${result.lost} deliveries missing after the drain timeout`
            : `p95 ${result.latencyMs.p95} ms > ${plan.p95LimitMs} ms`;
        limitedBy = `${why} at ${clients} clients (${describeLoads(result)})`;
        break;
      }
      passed = clients;
    }
    return {
      transport,
      maxClientsP95Under500ms: passed,
      limitedBy,
      rate: plan.rate,
      ...(isShort && { intervalMs: plan.intervalMs }),
      steps,
    };
  });
}

/** Above this share of the window spent waiting for a CPU, a step is called noisy. */
const NOISY_WAIT_PCT = 20;

const failsStep = (result: CapacityStep, plan: CapacityPlan): boolean => result.lost > 0 || result.latencyMs.p95 > plan.p95LimitMs;

/** One step of the sweep: `plan.rate` broadcasts a second for `plan.durationS` to the clients connected now. */
async function capacityStep(crowd: Crowd, server: ServerHandle, clients: number, plan: CapacityPlan): Promise<CapacityStep> {
  const transport = crowd.options.transport;
  await sleep(transport === 'short-polling' ? plan.intervalMs : 500);
  const ledger = crowd.newLedger();
  const meter = await startMeter(server);
  await sendAtRate(crowd, ledger, plan.rate, plan.durationS, 10_000, `capacity ${transport} @ ${clients}`);
  const window = await meter.stop();
  const result: CapacityStep = { clients, ...ledger.counts(), latencyMs: ledger.latencyMs(), ...loads(window) };
  step(`capacity ${transport} @ ${clients}: p95 ${result.latencyMs.p95} ms, lost ${result.lost} (${describeLoads(result)})`);
  return result;
}

/** File descriptors kept free for the harness itself (modules, IPC, stdio). */
export const FD_RESERVE = 200;
