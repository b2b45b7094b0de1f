// The client transports' `wire` events against the real server: what the
// page's timeline draws must be what really went over the wire.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TransportName } from '../src/chat/transports.js';
import type { ClientTransport, WireEntry } from '../src/client/transport.js';
import { connected, disconnectAll, input, makeClient, startServer, waitFor, type RunningServer } from './helpers.js';

const TOKEN = 'wire-test-token';

/** Every wire entry of a client: the latest version of each id, in start order. */
function recordWire(client: ClientTransport): () => WireEntry[] {
  const entries = new Map<number, WireEntry>();
  client.on('wire', (entry) => entries.set(entry.id, entry));
  return () => [...entries.values()];
}

const requests = (entries: WireEntry[], label: string) => entries.filter((entry) => entry.kind === 'request' && entry.label === label);
const labels = (entries: WireEntry[]) => entries.map((entry) => `${entry.kind}:${entry.direction ?? ''}${entry.label}`);

describe('wire events of the client transports', () => {
  let server: RunningServer;
  const lab = (settings: object) =>
    fetch(`${server.baseUrl}/api/lab`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
  const client = (name: TransportName, options = {}) => makeClient(name, server.baseUrl, options);

  before(async () => {
    server = await startServer({ presenterToken: TOKEN, rateLimit: false });
  });
  after(async () => {
    disconnectAll();
    await server.close();
  });

  it('short polling: each poll a request answered at once (one round trip), empty answers marked, a send a POST', async () => {
    const polling = client('short-polling', { intervalMs: 50 });
    const wire = recordWire(polling);
    await connected(polling);
    await polling.send(input('short'));
    await waitFor(
      () => requests(wire(), 'GET').some((entry) => entry.empty === false && entry.endAt !== undefined),
      5000,
      'a poll with news',
    );
    const polls = requests(wire(), 'GET').filter((entry) => entry.endAt !== undefined);
    assert.ok(polls.every((entry) => entry.roundTrip && entry.status === 200 && entry.detail === 'poll'));
    assert.ok(polls.some((entry) => entry.empty === true));
    const [post] = requests(wire(), 'POST');
    assert.equal(post?.status, 201);
    assert.ok(post.bytesOut! > 20 && post.bytesIn! > 20 && post.endAt! >= post.at);
    polling.disconnect();
  });

  it('long polling: a poll stays in flight until a message answers it; only the join-live poll counts as a round trip', async () => {
    const longPolling = client('long-polling', { waitMs: 10_000 });
    const wire = recordWire(longPolling);
    await connected(longPolling);
    await waitFor(() => requests(wire(), 'GET').some((entry) => entry.endAt === undefined), 5000, 'a held poll');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = requests(wire(), 'GET').find((entry) => entry.endAt === undefined)!;
    const sender = client('short-polling');
    await connected(sender);
    await sender.send(input('wake up'));
    await waitFor(() => wire().find((entry) => entry.id === held.id)?.endAt !== undefined, 5000, 'the held poll answered');
    const answered = wire().find((entry) => entry.id === held.id)!;
    assert.equal(answered.empty, false);
    assert.ok(answered.endAt! - answered.at >= 250, `held ${answered.endAt! - answered.at} ms`);
    const [joinLive, ...others] = requests(wire(), 'GET');
    assert.equal(joinLive?.roundTrip, true);
    assert.ok(others.every((entry) => !entry.roundTrip));
    longPolling.disconnect();
    sender.disconnect();
  });

  it('WebSocket: the handshake answered 101, then send up, ack and message down', async () => {
    const websocket = client('websocket');
    const wire = recordWire(websocket);
    await connected(websocket);
    await websocket.send(input('ws'));
    await waitFor(() => wire().some((entry) => entry.label === 'message'), 5000, 'the message frame');
    const [handshake] = requests(wire(), 'GET');
    assert.equal(handshake?.status, 101);
    assert.equal(handshake.roundTrip, true);
    const shown = labels(wire()).filter((label) => label !== 'request:GET');
    // The server broadcasts the message and acks the send: either may come first.
    assert.deepEqual(shown.slice(0, 3), ['mark:101', 'frame:downwelcome', 'frame:upsend']);
    assert.deepEqual(shown.slice(3).sort(), ['frame:downack', 'frame:downmessage']);
    websocket.disconnect();
  });

  it('Socket.IO: handshake GET over polling, the probe, the upgrade, then frames on the WebSocket', async () => {
    const socketio = client('socketio');
    const wire = recordWire(socketio);
    await connected(socketio);
    await waitFor(() => wire().some((entry) => entry.label === 'upgrade'), 5000, 'the upgrade');
    await socketio.send(input('sio'));
    await waitFor(() => wire().some((entry) => entry.kind === 'frame' && entry.label === 'message'), 5000, 'the message frame');
    const entries = wire();
    const [handshake] = entries;
    assert.equal(handshake?.label, 'GET');
    assert.equal(handshake.detail, 'Engine.IO handshake (polling)');
    assert.equal(handshake.status, 200);
    const probe = entries.find((entry) => entry.label === 'probe');
    assert.equal(probe?.status, 101);
    const upgrade = entries.findIndex((entry) => entry.label === 'upgrade');
    assert.ok(entries.indexOf(probe) < upgrade);
    const after = labels(entries.slice(upgrade + 1));
    for (const frame of ['frame:upsend', 'frame:downack', 'frame:downmessage'])
      assert.ok(after.includes(frame), `${frame} in ${after.join()}`);
    socketio.disconnect();
  });

  it('Socket.IO with WebSocket blocked: the probe fails and it stays on polling', async () => {
    assert.equal((await lab({ blockWebSocket: true })).status, 200);
    try {
      const socketio = client('socketio');
      const wire = recordWire(socketio);
      await connected(socketio);
      await waitFor(() => wire().some((entry) => entry.label === 'probe failed'), 5000, 'the failed probe');
      await socketio.send(input('through the proxy'));
      await waitFor(() => requests(wire(), 'GET').filter((entry) => entry.empty === false).length >= 2, 5000, 'polls with news');
      const entries = wire();
      assert.ok(!entries.some((entry) => entry.label === 'upgrade'));
      assert.ok(!entries.some((entry) => entry.kind === 'frame'));
      assert.ok(requests(entries, 'POST').some((entry) => entry.status === 200));
      socketio.disconnect();
    } finally {
      await lab({ blockWebSocket: false });
    }
  });
  it("Server-Sent Events: the stream's GET until its answer, open, a frame per event, a POST per send; after a cut the EventSource's own reconnect with Last-Event-ID", async () => {
    const sse = client('sse');
    const wire = recordWire(sse);
    await connected(sse);
    await sse.send(input('sse'));
    await waitFor(() => wire().some((entry) => entry.kind === 'frame' && entry.label === 'message'), 5000, 'the message event');
    const [stream] = requests(wire(), 'GET');
    assert.equal(stream?.detail, 'stream');
    assert.equal(stream.status, 200);
    assert.equal(stream.roundTrip, true);
    assert.deepEqual(
      labels(wire())
        .filter((label) => label !== 'request:POST')
        .slice(0, 4),
      ['request:GET', 'mark:open', 'frame:downwelcome', 'frame:downmessage'],
    );
    assert.equal(requests(wire(), 'POST')[0]?.status, 201);

    server.app.lab.dropHere('sse');
    await waitFor(() => wire().filter((entry) => entry.label === 'open').length >= 2, 10_000, 'the stream open again');
    const reconnect = wire().find((entry) => entry.label === 'reconnect');
    assert.equal(reconnect?.kind, 'mark');
    assert.match(reconnect.detail!, /Last-Event-ID: [^:]+:\d+/);
    const streams = requests(wire(), 'GET');
    assert.equal(streams.length, 2);
    assert.equal(streams[1]!.status, 200);
    assert.match(streams[1]!.detail!, /reconnect/);
    sse.disconnect();
  });
});
