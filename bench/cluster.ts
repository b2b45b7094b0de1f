// `npm run bench -- --redis URL --nodes N`: what sharing the room through
// Redis costs. In one run: one in-memory node, then N nodes on Redis (each its
// own process), WebSocket receivers split across the nodes, one sender at a
// fixed rate (latency, one clock: this process), then senders on every node as
// fast as their acks allow (deliveries per second). Counts every delivery:
// lost, duplicated and reordered must be 0. The send rate limit stays on (with
// limits no sender reaches), so each send pays what a workshop's does: in
// memory, or one more Lua script in Redis per send.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { randomId } from '../src/client/base.js';
import { clientTransports } from '../src/client/index.js';
import type { ClientTransport, WebSocketConstructor } from '../src/client/transport.js';
import { freePort } from '../test/redis-server.js';
import { percentilesMs } from './percentiles.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

export interface ClusterPlan {
  redisUrl: string;
  nodes: number;
  clients: number;
  rate: number;
  durationS: number;
  saturationS: number;
}

interface Setup {
  name: string;
  urls: string[];
  stop(): void;
}

interface Result {
  setup: string;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  duplicated: number;
  reordered: number;
  deliveriesPerSec: number;
}

/** The limiter in the path, never refusing. */
const UNREACHABLE_LIMITS = [
  'send-rate',
  'send-burst',
  'send-rate-per-ip',
  'send-burst-per-ip',
  'new-clients-per-ip',
  'new-clients-burst-per-ip',
].flatMap((flag) => [`--${flag}`, '1000000']);

async function startNode(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [MAIN, '--host', '127.0.0.1', '--port', String(port), '--rate-limit', 'on', ...UNREACHABLE_LIMITS, '--log-level', 'warn', ...args],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, child };
    } catch {
      // not yet
    }
    if (tries > 300 || child.exitCode !== null) throw new Error(`node on ${url} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function setUp(name: string, argsPerNode: string[][]): Promise<Setup> {
  const nodes = await Promise.all(argsPerNode.map((args) => startNode(args)));
  return { name, urls: nodes.map((node) => node.url), stop: () => nodes.forEach((node) => node.child.kill('SIGTERM')) };
}

const client = (url: string): ClientTransport =>
  clientTransports.websocket({ baseUrl: url, WebSocket: WebSocket as unknown as WebSocketConstructor, sendTimeoutMs: 10_000 });

async function connectAll(clients: ClientTransport[]): Promise<void> {
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          const off = c.on('sync', () => {
            off();
            resolve();
          });
          c.connect();
        }),
    ),
  );
}

async function measure(setup: Setup, plan: ClusterPlan): Promise<Result> {
  const receivers = Array.from({ length: plan.clients }, (_, n) => client(setup.urls[n % setup.urls.length]!));
  const arrivals = new Map<string, number[]>();
  const seen = receivers.map(() => ({ last: 0, ids: new Set<number>(), duplicated: 0, reordered: 0 }));
  receivers.forEach((receiver, index) =>
    receiver.on('message', (message) => {
      const now = performance.now();
      const tally = seen[index]!;
      if (tally.ids.has(message.id)) tally.duplicated++;
      else if (message.id < tally.last) tally.reordered++;
      tally.ids.add(message.id);
      tally.last = Math.max(tally.last, message.id);
      arrivals.get(message.clientMsgId)?.push(now);
    }),
  );
  await connectAll(receivers);

  // Fixed rate from one sender on the first node: latency.
  const sender = client(setup.urls[0]!);
  await connectAll([sender]);
  const sentAt = new Map<string, number>();
  const total = Math.round(plan.rate * plan.durationS);
  for (let n = 0; n < total; n++) {
    const id = randomId();
    arrivals.set(id, []);
    sentAt.set(id, performance.now());
    void sender.send({ clientMsgId: id, author: 'bench', text: `m${n}` });
    await new Promise((resolve) => setTimeout(resolve, 1000 / plan.rate));
  }
  const expected = total * plan.clients;
  const deadline = Date.now() + 15_000;
  const delivered = (): number => [...arrivals.values()].reduce((sum, list) => sum + list.length, 0);
  while (delivered() < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const latencies: number[] = [];
  for (const [id, list] of arrivals) for (const at of list) latencies.push(at - sentAt.get(id)!);
  const [p50, p99, max] = percentilesMs(latencies, [50, 99, 100]);

  // As fast as acks allow, one sender per node, 32 sends in flight each: deliveries per second.
  const senders = setup.urls.map((url) => client(url));
  await connectAll(senders);
  arrivals.clear();
  const before = seen.reduce((sum, tally) => sum + tally.ids.size, 0);
  const started = performance.now();
  const until = started + plan.saturationS * 1000;
  await Promise.all(
    senders.flatMap((s) =>
      Array.from({ length: 32 }, async () => {
        while (performance.now() < until) await s.send({ clientMsgId: randomId(), author: 'bench', text: 'flood' });
      }),
    ),
  );
  const target = Math.max(...seen.map((tally) => tally.last));
  const settleBy = Date.now() + 20_000;
  while (seen.some((tally) => tally.last < target) && Date.now() < settleBy) await new Promise((resolve) => setTimeout(resolve, 50));
  const elapsedS = (performance.now() - started) / 1000;
  const after = seen.reduce((sum, tally) => sum + tally.ids.size, 0);

  for (const c of [...receivers, sender, ...senders]) c.disconnect();
  const highest = Math.max(...seen.map((tally) => tally.last));
  return {
    setup: setup.name,
    p50,
    p99,
    max,
    // Receivers joined an empty room: each must hold every id from 1 to the highest.
    lost: seen.reduce((sum, tally) => sum + (highest - tally.ids.size), 0),
    duplicated: seen.reduce((sum, tally) => sum + tally.duplicated, 0),
    reordered: seen.reduce((sum, tally) => sum + tally.reordered, 0),
    deliveriesPerSec: (after - before) / elapsedS,
  };
}

export async function clusterBench(plan: ClusterPlan): Promise<Result[]> {
  const prefix = `bench-${randomBytes(4).toString('hex')}:`;
  const results: Result[] = [];
  const plans: Array<[string, string[][]]> = [
    ['1 node, in memory', [[]]],
    ['1 node, Redis', [['--redis', plan.redisUrl, '--redis-prefix', `${prefix}one:`]]],
    [
      `${plan.nodes} nodes, Redis`,
      Array.from({ length: plan.nodes }, () => ['--redis', plan.redisUrl, '--redis-prefix', `${prefix}many:`]),
    ],
  ];
  for (const [name, args] of plans) {
    const setup = await setUp(name, args);
    try {
      console.error(
        `  ${name}: ${plan.clients} WebSocket receivers, ${plan.rate} msg/s for ${plan.durationS} s, then ${plan.saturationS} s flat out`,
      );
      results.push(await measure(setup, plan));
    } finally {
      setup.stop();
    }
  }
  return results;
}

export function formatClusterResults(results: Result[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.setup} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${Math.round(r.deliveriesPerSec).toLocaleString('en')} | ${r.lost} / ${r.duplicated} / ${r.reordered} |`,
  );
  return [
    '| setup | p50 ms | p99 ms | max ms | deliveries/s flat out | lost / dup / reordered |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}
