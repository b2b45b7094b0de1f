// The lab's network conditions on real sockets and the real client code:
// the "corporate proxy", added latency per transport, and dropped connections.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { TRANSPORTS as DESCRIPTORS, type TransportName } from '../src/chat/transports.js';
import type { LabUpdate } from '../src/lab/settings.js';
import {
  connected,
  connectEvery,
  disconnectAll,
  input,
  isStrictlyIncreasing,
  makeClient,
  startServer,
  TRANSPORTS,
  waitFor,
  type RunningServer,
} from './helpers.js';

const TOKEN = 'lab-test-token';

describe('lab network conditions', () => {
  let server: RunningServer;
  before(async () => {
    // Bursts of sends from one test client: the workshop rate limit is not what is tested here.
    server = await startServer({ presenterToken: TOKEN, rateLimit: false });
  });
  afterEach(async () => {
    disconnectAll();
    await setLab({ blockWebSocket: false, addedLatencyMs: zeroes(), jitterMs: zeroes() });
  });
  after(() => server.close());

  const presenter = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  async function setLab(update: LabUpdate): Promise<void> {
    const response = await fetch(`${server.baseUrl}/api/lab`, { method: 'PUT', headers: presenter, body: JSON.stringify(update) });
    assert.equal(response.status, 200);
  }
  async function dropAll(transport: TransportName): Promise<{ dropped: number }> {
    const response = await fetch(`${server.baseUrl}/api/lab/drop`, {
      method: 'POST',
      headers: presenter,
      body: JSON.stringify({ transport }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as { dropped: number };
  }
  /** Sent over plain HTTP, outside every impaired path but short polling's. */
  async function post(text: string): Promise<number> {
    const response = await fetch(`${server.baseUrl}/api/long-polling/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input(text)),
    });
    assert.equal(response.status, 201);
    return ((await response.json()) as { message: { id: number } }).message.id;
  }

  it('blockWebSocket refuses every upgrade with 403 and a reason, while Socket.IO delivers over polling', async () => {
    await setLab({ blockWebSocket: true });
    const refused = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/ws`);
    refused.on('error', () => {});
    const response = await new Promise<{ statusCode: number; body: string }>((resolve) =>
      refused.once('unexpected-response', (_request, message) => {
        let body = '';
        message.on('data', (chunk: Buffer) => (body += chunk.toString()));
        message.on('end', () => resolve({ statusCode: message.statusCode!, body }));
      }),
    );
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /blocked/);

    const socketio = makeClient('socketio', server.baseUrl, { socketioMode: 'auto' });
    const received = await connected(socketio);
    const id = await post('through the proxy');
    await received.waitForMessages(1);
    assert.deepEqual(received.ids(), [id]);
    assert.equal(socketio.detail, 'polling');
    const receipt = await socketio.send(input('sent over polling'));
    await received.waitForMessages(2);
    assert.equal(received.ids()[1], receipt.id);

    // Unblocked, the next connection upgrades again.
    await setLab({ blockWebSocket: false });
    const websocket = makeClient('websocket', server.baseUrl);
    await connected(websocket);
    const upgraded = makeClient('socketio', server.baseUrl, { socketioMode: 'auto' });
    await connected(upgraded);
    await waitFor(() => upgraded.detail === 'polling -> websocket', 5000, 'Socket.IO upgrade after unblocking');
  });

  it('added latency delays that transport only, and keeps its messages in order despite jitter', async () => {
    const LATENCY_MS = 600;
    const websocket = makeClient('websocket', server.baseUrl);
    const socketio = makeClient('socketio', server.baseUrl, { socketioMode: 'websocket' });
    const [slow, fast] = await Promise.all([connected(websocket), connected(socketio)]);
    await setLab({ addedLatencyMs: { websocket: LATENCY_MS }, jitterMs: { websocket: 100 } });

    const arrivals = new Map<TransportName, number>();
    websocket.on('message', () => arrivals.set('websocket', performance.now()));
    socketio.on('message', () => arrivals.set('socketio', performance.now()));
    const sentAt = performance.now();
    const ids = await Promise.all(Array.from({ length: 20 }, (_, index) => post(`burst ${index}`)));
    await slow.waitForMessages(20);
    await fast.waitForMessages(20);
    // A lower bound (cannot be beaten), and an order: the unimpaired transport was first.
    assert.ok(arrivals.get('websocket')! - sentAt >= LATENCY_MS, `websocket took ${arrivals.get('websocket')! - sentAt} ms`);
    assert.ok(arrivals.get('socketio')! < arrivals.get('websocket')!, 'socketio delivered before the delayed websocket');
    assert.deepEqual(
      slow.ids(),
      [...ids].sort((a, b) => a - b),
    );
    assert.ok(isStrictlyIncreasing(slow.ids()));
  });

  it('drop connections: every client reconnects and catches up, nothing lost or doubled', async () => {
    const recorders = await connectEvery(server.baseUrl, { waitMs: 5000 });
    const before = [await post('before the drop')];
    for (const { name } of DESCRIPTORS.filter((transport) => transport.droppable)) {
      await waitFor(() => recorders.every((recorder) => recorder.messages.length >= before.length), 5000, 'deliveries');
      const { dropped } = await dropAll(name);
      assert.ok(dropped >= 1, `${name}: dropped ${dropped}`);
      before.push(await post(`after dropping ${name}`));
    }
    for (const recorder of recorders) {
      await recorder.waitForMessages(before.length, 10_000);
      assert.deepEqual(recorder.ids(), before, recorder.client.name);
    }
  });

  it('counts per transport in /api/stats', async () => {
    const websocket = makeClient('websocket', server.baseUrl);
    const shortPolling = makeClient('short-polling', server.baseUrl);
    await Promise.all([connected(websocket), connected(shortPolling)]);
    await websocket.send(input('counted'));
    type Counted = {
      connections: number;
      participants: number;
      totals: { messages: number; wireBytesOut: number; payloadBytesOut: number; polls: number; wireBytesIn: number };
    };
    const fetchStats = async () =>
      ((await (await fetch(`${server.baseUrl}/api/stats`)).json()) as { transports: Record<TransportName, Counted> }).transports;
    const shows = (t: Record<TransportName, Counted>): boolean =>
      t.websocket.connections >= 1 &&
      t.websocket.totals.messages >= 1 &&
      t.websocket.totals.wireBytesOut > 0 &&
      // The send frame and the upgrade request came in (the frame alone is over 60 bytes).
      t.websocket.totals.wireBytesIn > 60 &&
      // Each poll's request line and headers.
      t['short-polling'].totals.wireBytesIn > t['short-polling'].totals.polls * 20 &&
      t['short-polling'].totals.polls > 0 &&
      t['short-polling'].participants >= 1 &&
      // Headers are on the wire too: the bodies are only part of it.
      t['short-polling'].totals.payloadBytesOut > 0 &&
      t['short-polling'].totals.payloadBytesOut < t['short-polling'].totals.wireBytesOut;
    // One sample a second: ask until one shows the traffic.
    const deadline = Date.now() + 5000;
    let transports = await fetchStats();
    while (!shows(transports)) {
      assert.ok(Date.now() < deadline, `stats never showed the traffic: ${JSON.stringify(transports)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      transports = await fetchStats();
    }
  });

  it("counts Socket.IO's payload and its polls (empty ones too) while it is on polling", async () => {
    const socketio = makeClient('socketio', server.baseUrl, { socketioMode: 'polling' });
    await connected(socketio);
    await socketio.send(input('over polling'));
    type Counted = { totals: { polls: number; emptyPolls: number; payloadBytesOut: number; wireBytesOut: number } };
    const fetchStats = async () =>
      ((await (await fetch(`${server.baseUrl}/api/stats`)).json()) as { transports: Record<TransportName, Counted> }).transports.socketio;
    // The handshake's and the send's answers are polls with packets; the ack and the message come back on polls too.
    const deadline = Date.now() + 5000;
    let stats = await fetchStats();
    while (!(stats.totals.polls >= 2 && stats.totals.payloadBytesOut > 0)) {
      assert.ok(Date.now() < deadline, `stats never showed Socket.IO's polling: ${JSON.stringify(stats)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      stats = await fetchStats();
    }
    assert.ok(stats.totals.emptyPolls <= stats.totals.polls);
    assert.ok(stats.totals.payloadBytesOut < stats.totals.wireBytesOut, 'the HTTP headers are on the wire too');
  });
});

function zeroes(): Record<TransportName, number> {
  return Object.fromEntries(TRANSPORTS.map((name) => [name, 0])) as Record<TransportName, number>;
}
