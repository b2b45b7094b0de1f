// `npm run soak`: 1,000 clients across every transport for 10 minutes at
// 20 messages/s against a server in its own process (127.0.0.1 only). Prints
// the server's RSS and heap slope after warm-up, delivery counts, and whether
// held polls, socket connections and timers return to their idle level once
// every client has left.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { TransportName } from '../../src/chat/transports.js';
import { clientTransports } from '../../src/client/index.js';
import { NODE_GLOBALS } from '../../src/client/node.js';
import type { ClientTransport } from '../../src/client/transport.js';
import { input, TRANSPORTS, waitFor } from '../helpers.js';
import type { ServerSample } from './soak-server.js';
import { forkServer } from './server-process.js';

const HELP = `npm run soak -- [options]

  The server runs with the default limits (npm start -- --help), all clients
  from 127.0.0.1, spread evenly over every transport with the page's defaults.

  --clients N         clients in all (1000)
  --rate N            messages per second, each from a random client (20)
  --minutes N         how long to measure after the warm-up (10)
  --warmup-seconds N  traffic before the measurement starts (60)
  --sample-seconds N  server sample period, each after a GC (10)
  --help              this text
`;
const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '20' },
    minutes: { type: 'string', default: '10' },
    'warmup-seconds': { type: 'string', default: '60' },
    'sample-seconds': { type: 'string', default: '10' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const clientCount = Number(values.clients);
const ratePerSec = Number(values.rate);
const measureMs = Number(values.minutes) * 60_000;
const warmupMs = Number(values['warmup-seconds']) * 1000;
const sampleMs = Number(values['sample-seconds']) * 1000;

// --- the server, in its own process ---------------------------------------
const server = await forkServer<ServerSample>(new URL('./soak-server.js', import.meta.url), ['--expose-gc']);
const { port } = server;
const serverSample = (): Promise<ServerSample> => server.sample();
const baseUrl = `http://127.0.0.1:${port}`;
const idle = await serverSample();

// --- the clients -------------------------------------------------------------
interface Watched {
  client: ClientTransport;
  received: number;
  last: number;
  outOfOrder: number;
}
const watched: Watched[] = [];
console.log(
  `soak: ${clientCount} clients, ${ratePerSec} msg/s, ${values.minutes} min after ${warmupMs / 1000} s warm-up, server at ${baseUrl}`,
);
for (let n = 0; n < clientCount; n++) {
  const name = TRANSPORTS[n % TRANSPORTS.length]!;
  const client = clientTransports[name]({ baseUrl, ...NODE_GLOBALS });
  const entry: Watched = { client, received: 0, last: 0, outOfOrder: 0 };
  client.on('message', (message) => {
    if (message.id <= entry.last) entry.outOfOrder++;
    entry.last = message.id;
    entry.received++;
  });
  watched.push(entry);
  client.connect();
  if (n % 50 === 49) await waitFor(() => watched.every((w) => w.client.cursor !== undefined), 60_000, 'clients joined');
}
await waitFor(() => watched.every((w) => w.client.cursor !== undefined && w.client.status === 'open'), 120_000, 'every client open');
console.log(`all ${clientCount} clients open`);

// --- traffic: one message every 1/rate s from a random client ------------------
let sent = 0;
let acked = 0;
let refused = 0;
const started = Date.now();
// Timers drift when the client process is busy: each tick sends what the
// schedule owes, so the offered rate stays `rate` on a loaded machine too.
const sendTimer = setInterval(() => {
  const due = Math.floor(((Date.now() - started) / 1000) * ratePerSec);
  while (sent < due) {
    const { client } = watched[Math.floor(Math.random() * watched.length)]!;
    sent++;
    client.send(input(`soak ${sent}`, 'soak')).then(
      () => acked++,
      () => refused++,
    );
  }
}, 1000 / ratePerSec);

const samples: Array<{ atMs: number; load: number } & ServerSample> = [];
const deadline = started + warmupMs + measureMs;
while (Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const sample = { atMs: Date.now() - started, load: loadavg()[0]!, ...(await serverSample()) };
  samples.push(sample);
  process.stdout.write(
    `  t=${(sample.atMs / 1000).toFixed(0)}s rss=${mb(sample.rssBytes)} heap=${mb(sample.heapUsedBytes)} ` +
      `held=${sample.heldPolls} sockets=${sample.socketConnections} acked=${acked}/${sent} load=${loadavg()[0]!.toFixed(1)}\n`,
  );
}
clearInterval(sendTimer);
const sendingMs = Date.now() - started;
await waitFor(() => acked + refused === sent, 60_000, 'every send settled');
const lastId = await (await fetch(`${baseUrl}/api/short-polling/messages`)).json().then((body: { cursor: number }) => body.cursor);
await waitFor(() => watched.every((w) => w.client.cursor === lastId), 60_000, 'every client caught up').catch(() => undefined);
const loaded = await serverSample();

// --- everyone leaves: counts must return to idle -----------------------------
for (const { client } of watched) client.disconnect();
let after = await serverSample();
const leaveStarted = Date.now();
while (
  Date.now() - leaveStarted < 60_000 &&
  (after.heldPolls > 0 || after.socketConnections > 0 || after.roomSubscribers > idle.roomSubscribers)
) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  after = await serverSample();
}
await new Promise((resolve) => setTimeout(resolve, 6000)); // keep-alive HTTP connections idle out (5 s)
after = await serverSample();

// --- summary ---------------------------------------------------------------------
function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
/** Least-squares slope in MB per minute. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const num = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const den = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
const measured = samples.filter((sample) => sample.atMs >= warmupMs);
const series = (key: 'rssBytes' | 'heapUsedBytes'): Array<[number, number]> =>
  measured.map((sample) => [sample.atMs / 60_000, sample[key] / 1024 / 1024]);
const perTransport = Object.fromEntries(TRANSPORTS.map((name) => [name, { clients: 0, lost: 0, outOfOrder: 0 }])) as Record<
  TransportName,
  { clients: number; lost: number; outOfOrder: number }
>;
for (const w of watched) {
  const row = perTransport[w.client.name];
  row.clients++;
  row.lost += Math.max(0, lastId - w.received);
  row.outOfOrder += w.outOfOrder + Math.max(0, w.received - lastId);
}
const timers = (sample: ServerSample): number => sample.resources.Timeout ?? 0;
const sockets = (sample: ServerSample): number => sample.resources.TCPSocketWrap ?? 0;

const loads = samples.map((sample) => sample.load);
console.log('\nSoak summary');
console.log(
  `  messages: sent ${sent}, acked ${acked}, refused ${refused}, room ends at id ${lastId}, ${((sent / sendingMs) * 1000).toFixed(1)} msg/s offered`,
);
console.log(`  first attempts rate-limited by the server (then retried by the client): ${loaded.sendsRefused}`);
console.log(`  machine load average (1 min) during the run: ${Math.min(...loads).toFixed(1)} - ${Math.max(...loads).toFixed(1)}`);
for (const name of TRANSPORTS) {
  const row = perTransport[name];
  console.log(`  ${name.padEnd(14)} ${row.clients} clients, lost ${row.lost}, duplicated or reordered ${row.outOfOrder}`);
}
console.log(
  `  server RSS  : ${mb(measured[0]!.rssBytes)} -> ${mb(measured.at(-1)!.rssBytes)}, slope ${slope(series('rssBytes')).toFixed(3)} MB/min after warm-up (${measured.length} samples)`,
);
console.log(
  `  server heap : ${mb(measured[0]!.heapUsedBytes)} -> ${mb(measured.at(-1)!.heapUsedBytes)}, slope ${slope(series('heapUsedBytes')).toFixed(3)} MB/min (after gc)`,
);
console.log('                 idle before | under load | after clients left');
console.log(`  held polls   : ${idle.heldPolls} | ${loaded.heldPolls} | ${after.heldPolls}`);
console.log(`  push conns   : ${idle.socketConnections} | ${loaded.socketConnections} | ${after.socketConnections}`);
console.log(`  subscribers  : ${idle.roomSubscribers} | ${loaded.roomSubscribers} | ${after.roomSubscribers}`);
console.log(`  http conns   : ${idle.httpConnections} | ${loaded.httpConnections} | ${after.httpConnections}`);
console.log(`  timers       : ${timers(idle)} | ${timers(loaded)} | ${timers(after)}`);
console.log(`  tcp sockets  : ${sockets(idle)} | ${sockets(loaded)} | ${sockets(after)}`);
const leaked = after.heldPolls > 0 || after.socketConnections > 0 || timers(after) > timers(idle) || sockets(after) > sockets(idle);
const lost = Object.values(perTransport).some((row) => row.lost > 0 || row.outOfOrder > 0);
console.log(
  `  => ${leaked || lost ? 'FAILED' : 'OK'}${leaked ? ' (counts did not return to idle)' : ''}${lost ? ' (deliveries lost or out of order)' : ''}`,
);
server.stop();
process.exit(leaked || lost ? 1 : 0);
