// `npm run attack`: each attack of issue 12, bounded in time and count, on
// loopback only, against a server in its own process (512 MB heap, default
// limits). Attackers use their own 127.0.0.x source address unless the attack
// is about sharing the honest client's address. For each attack it prints the
// honest client's latency during it (its own messages, sent over HTTP and
// received over WebSocket, and fresh-connection requests), the server's RSS
// peak, the connections and requests refused, and the honest messages lost
// (must be 0). Exits 1 if an honest message was lost or the server died.
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { randomId } from '../../src/client/base.js';
import { clientTransports } from '../../src/client/index.js';
import type { WebSocketConstructor } from '../../src/client/transport.js';
import { percentilesMs } from '../../bench/percentiles.js';
import type { AttackSample } from './attack-server.js';
import { forkServer } from './server-process.js';

const ATTACK_NAMES = ['engine', 'slowloris', 'rotating', 'amplification', 'socketio', 'token', 'rebinding'] as const;
const HELP = `npm run attack -- [options]

  Each attack of issue 12, bounded, from 127.0.0.x source addresses, against a
  server in its own process (512 MB heap, default limits), while an honest
  client chats from 127.0.0.1. Exits 1 if an honest message was lost or the
  server died.

  --seconds N   how long each attack lasts (10)
  --only LIST   comma-separated subset of ${ATTACK_NAMES.join(',')}
  --help        this text
`;
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, only: { type: 'string' }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const attackMs = Number(values.seconds) * 1000;

// --- the server, in its own process ----------------------------------------------
const server = await forkServer<AttackSample>(new URL('./attack-server.js', import.meta.url), ['--max-old-space-size=512'], {
  rssBytes: 0,
  heapUsedBytes: 0,
  refused: {},
  open: {},
} as AttackSample);
const { port } = server;
const sample = (): Promise<AttackSample> => server.sample();
const baseUrl = `http://127.0.0.1:${port}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// --- the honest client (127.0.0.1): sends over HTTP, receives over WebSocket ----------
const receiver = clientTransports.websocket({ baseUrl, WebSocket: WebSocket as unknown as WebSocketConstructor });
const sentAt = new Map<string, number>();
const received = new Set<string>();
const latencies: number[] = [];
receiver.on('message', (message) => {
  const at = sentAt.get(message.clientMsgId);
  if (at === undefined) return;
  received.add(message.clientMsgId);
  latencies.push(performance.now() - at);
});
receiver.connect();
const sender = clientTransports['short-polling']({ baseUrl, intervalMs: 60_000 });
sender.connect();
while (receiver.status !== 'open' || sender.status !== 'open') await sleep(50);

interface Honest {
  latencies: number[];
  fresh: number[];
  freshFailed: number;
  firstTry: { ok: number; sent: number };
  lost: number;
}

/** Honest traffic for `ms`: 2 messages a second (first tries counted), and a fresh-connection request every 200 ms. */
async function honestDuring(ms: number): Promise<Honest> {
  latencies.length = 0;
  const ids: string[] = [];
  const fresh: number[] = [];
  let freshFailed = 0;
  const firstTry = { ok: 0, sent: 0 };
  const deadline = Date.now() + ms;
  const probes: Array<Promise<void>> = [];
  const sends: Array<Promise<unknown>> = [];
  let tick = 0;
  while (Date.now() < deadline) {
    if (tick++ % 5 === 0) {
      // The first try by hand (to count it), then the client's own retrying send.
      const input = { clientMsgId: randomId(), author: 'honest', text: `honest ${tick}` };
      ids.push(input.clientMsgId);
      sentAt.set(input.clientMsgId, performance.now());
      firstTry.sent++;
      sends.push(
        fetch(`${baseUrl}/api/short-polling/messages?client=${(sender as unknown as { clientId: string }).clientId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
        })
          .then((response): unknown => (response.status === 201 ? firstTry.ok++ : sender.send(input)))
          .catch(() => sender.send(input)),
      );
    }
    const started = performance.now();
    probes.push(
      new Promise<void>((resolve) => {
        const request = http.get({ host: '127.0.0.1', port, path: '/api/health', agent: false, timeout: 5000 }, (response) => {
          response.resume();
          response.on('end', () => {
            fresh.push(performance.now() - started);
            resolve();
          });
        });
        request.on('timeout', () => request.destroy());
        request.on('error', () => {
          freshFailed++;
          resolve();
        });
      }),
    );
    await sleep(200);
  }
  await Promise.allSettled(sends);
  await Promise.all(probes);
  const graceEnd = Date.now() + 10_000;
  while (Date.now() < graceEnd && ids.some((id) => !received.has(id))) await sleep(100);
  return { latencies: [...latencies], fresh, freshFailed, firstTry, lost: ids.filter((id) => !received.has(id)).length };
}

// --- the attacks --------------------------------------------------------------------
type Attack = (signal: { stop: boolean }) => Promise<string>;

function request(agent: http.Agent, options: http.RequestOptions, body?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, agent, ...options }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function loops(count: number, signal: { stop: boolean }, body: () => Promise<number>): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (!signal.stop) {
        const status = await body();
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}
const show = (statuses: Map<number, number>): string =>
  [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status === 0 ? 'error' : status} x${count}`)
    .join(', ');

/** `count` keep-alive request loops from `localAddress` until stopped; the statuses they met. */
async function httpFlood(
  localAddress: string,
  count: number,
  signal: { stop: boolean },
  next: () => { options: http.RequestOptions; body?: string },
): Promise<string> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: count, localAddress });
  const statuses = await loops(count, signal, () => {
    const { options, body } = next();
    return request(agent, options, body);
  });
  agent.destroy();
  return show(statuses);
}
const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' } };

const attacks: Record<(typeof ATTACK_NAMES)[number], { title: string; run: Attack }> = {
  engine: {
    title: '1. bare Engine.IO handshakes, 32 loops (127.0.0.2)',
    run: (signal) => httpFlood('127.0.0.2', 32, signal, () => ({ options: { path: '/socket.io/?EIO=4&transport=polling' } })),
  },
  slowloris: {
    title: '2. slowloris, 6,000 connections dripping headers (127.0.0.3)',
    run: async (signal) => {
      const sockets: net.Socket[] = [];
      let closedByServer = 0;
      for (let n = 0; n < 6000 && !signal.stop; n++) {
        const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.3' });
        socket.on('error', () => undefined);
        socket.on('close', () => closedByServer++);
        socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        sockets.push(socket);
        if (n % 500 === 499) await sleep(50);
      }
      const drip = setInterval(() => {
        for (const socket of sockets) if (socket.writable) socket.write('X-a: b\r\n');
      }, 2000);
      while (!signal.stop) await sleep(100);
      clearInterval(drip);
      const held = sockets.length - closedByServer;
      for (const socket of sockets) socket.destroy();
      return `${sockets.length} opened, ${held} held by the server at the end, ${closedByServer} closed by it`;
    },
  },
  rotating: {
    title: "3. two flooders rotating client ids on the honest client's address (127.0.0.1)",
    run: (signal) => {
      let n = 0;
      return httpFlood('127.0.0.1', 16, signal, () => ({
        options: { ...JSON_POST, path: `/api/short-polling/messages?client=rot${n++}` },
        body: JSON.stringify({ clientMsgId: randomId(), author: 'flooder', text: 'flood' }),
      }));
    },
  },
  amplification: {
    title: '4. history amplification: 8 loops of GET ?since=0 + 2 WebSocket ?since=0 reconnect loops (127.0.0.4)',
    run: async (signal) => {
      let wsOpened = 0;
      const wsLoop = async (): Promise<void> => {
        while (!signal.stop) {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?since=0`, { localAddress: '127.0.0.4' });
          ws.on('error', () => undefined);
          await new Promise((resolve) => {
            ws.once('close', resolve);
            ws.once('message', () => wsOpened++);
            setTimeout(resolve, 200);
          });
          ws.terminate();
        }
      };
      const [statuses] = await Promise.all([
        httpFlood('127.0.0.4', 8, signal, () => ({ options: { path: '/api/short-polling/messages?since=0' } })),
        wsLoop(),
        wsLoop(),
      ]);
      return `HTTP ${statuses}; WebSocket connections welcomed ${wsOpened}`;
    },
  },
  socketio: {
    title: '4. Socket.IO send flood, 4 clients reconnecting when cut (127.0.0.1)',
    run: async (signal) => {
      let acked = 0;
      let refused = 0;
      let disconnects = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (!signal.stop) {
            const socket = io(baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
            await new Promise((resolve) => {
              socket.once('connect', () => resolve(undefined));
              socket.once('connect_error', () => resolve(undefined));
            });
            while (socket.connected && !signal.stop) {
              for (let n = 0; n < 50; n++) {
                socket.emit('send', { clientMsgId: randomId(), author: 'sio', text: 'flood' }, (ack: { ok: boolean }) =>
                  ack.ok ? acked++ : refused++,
                );
              }
              await sleep(5);
            }
            if (!socket.connected) disconnects++;
            socket.close();
          }
        }),
      );
      return `acked ${acked}, refused ${refused}, disconnected by the server ${disconnects}`;
    },
  },
  token: {
    title: '5. presenter token guessing, 8 loops (127.0.0.6)',
    run: (signal) =>
      httpFlood('127.0.0.6', 8, signal, () => ({
        options: {
          method: 'PUT',
          path: '/api/lab',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${randomId()}` },
        },
        body: '{}',
      })),
  },
  rebinding: {
    title: '7. DNS rebinding: requests with Host: evil.example (127.0.0.7)',
    run: (signal) =>
      httpFlood('127.0.0.7', 4, signal, () => ({
        options: {
          method: 'POST',
          path: '/api/short-polling/messages',
          headers: { host: 'evil.example', 'content-type': 'application/json' },
        },
        body: JSON.stringify({ clientMsgId: randomId(), author: 'evil', text: 'rebound' }),
      })),
  },
};

// --- run them, one after the other ------------------------------------------------------
/** p50/p99 of `values` in whole ms, '-/-' for none. */
const p50p99 = (values: number[]): string => {
  const [p50, p99] = percentilesMs(values, [50, 99]);
  return values.length === 0 ? '-/-' : `${Math.round(p50)}/${Math.round(p99)}`;
};
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const refusedDelta = (after: AttackSample, before: AttackSample): string =>
  Object.entries(after.refused)
    .map(([kind, count]) => [kind, count - (before.refused[kind as keyof AttackSample['refused']] ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ') || 'none';

let anyLost = false;
const baseline = await honestDuring(3000);
const idle = await sample();
console.log(`attack run: server at ${baseUrl}, 512 MB heap, default limits, ${attackMs / 1000} s per attack`);
console.log(
  `baseline: honest latency p50/p99 ${p50p99(baseline.latencies)} ms, fresh connection p50/p99 ` +
    `${p50p99(baseline.fresh)} ms, RSS ${mb(idle.rssBytes)}`,
);
for (const name of ATTACK_NAMES) {
  if (values.only && !values.only.split(',').includes(name)) continue;
  const attack = attacks[name];
  const before = await sample();
  const signal = { stop: false };
  let peak = before.rssBytes;
  const sampler = setInterval(() => void sample().then((s) => (peak = Math.max(peak, s.rssBytes))), 250);
  const attackDone = attack.run(signal);
  const honest = await honestDuring(attackMs);
  signal.stop = true;
  const outcome = await attackDone;
  clearInterval(sampler);
  await sleep(300);
  const after = await sample();
  anyLost ||= honest.lost > 0;
  console.log(`\n${attack.title}`);
  console.log(`  attacker saw      : ${outcome}`);
  console.log(
    `  honest latency    : own messages p50/p99 ${p50p99(honest.latencies)} ms; ` +
      `fresh connections p50/p99 ${p50p99(honest.fresh)} ms, ${honest.freshFailed} failed of ${honest.fresh.length + honest.freshFailed}`,
  );
  console.log(`  honest first tries: ${honest.firstTry.ok}/${honest.firstTry.sent} accepted`);
  console.log(
    `  server RSS        : ${mb(before.rssBytes)} before, peak ${mb(peak)} (+${mb(peak - before.rssBytes)})${server.died ? ', SERVER DIED' : ''}`,
  );
  console.log(`  refused           : ${refusedDelta(after, before)}`);
  console.log(`  honest lost       : ${honest.lost}`);
  if (server.died) break;
  await sleep(2000); // let the server settle (sessions close, sockets drain)
}
receiver.disconnect();
sender.disconnect();
server.stop();
console.log(`\n=> ${anyLost || server.died ? 'FAILED' : 'OK: no honest message lost, server up'}`);
process.exit(anyLost || server.died ? 1 : 0);
