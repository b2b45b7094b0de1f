// Catch-up back-pressure (issue 12): a peer that resumes from an old cursor
// and reads slowly must not make the server buffer its whole backlog. Each
// pushed transport gets a real reader that stops reading (its TCP socket
// paused, so the kernel's buffers fill and the server's own come next) while
// it asks for a backlog of several MB; the server's buffered bytes on that
// connection must stay within a few catch-up chunks, and once the reader reads
// again it must get every message exactly once, in order, live ones included.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { Message } from '../src/chat/message.js';
import { Room } from '../src/chat/room.js';
import type { TransportName } from '../src/chat/transports.js';
import { CATCHUP_CHUNK_BYTES } from '../src/transports/push.js';
import { input, startServer, waitFor, wsText, type RunningServer } from './helpers.js';

/** Well beyond what the kernel buffers for a connection on loopback (send buffer up to 4 MB, plus the reader's window). */
const BACKLOG = 8000;
const LIVE = 5;
const TEXT = 'x'.repeat(1000);

/** A reader that is not reading yet; `resume()` makes it read and collect the ids of the messages it gets. */
interface PausedReader {
  readonly ids: number[];
  resume(): void;
  close(): void;
}

/** One per pushed transport: each speaks its own wire, from the first byte (no client library hides its buffering). */
const PAUSED_READERS: Partial<Record<TransportName, (baseUrl: string) => Promise<PausedReader>>> = {
  websocket: (baseUrl) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws?since=0`);
      const ids: number[] = [];
      ws.on('message', (data) => {
        const frame = JSON.parse(wsText(data)) as { type: string; message?: Message };
        if (frame.type === 'message') ids.push(frame.message!.id);
      });
      ws.once('error', reject);
      ws.once('open', () => {
        ws.pause();
        resolve({ ids, resume: () => ws.resume(), close: () => ws.terminate() });
      });
    }),

  socketio: (baseUrl) =>
    new Promise((resolve, reject) => {
      // Engine.IO over WebSocket, spoken by hand: open packet, namespace CONNECT with the cursor, then events.
      const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      const ids: number[] = [];
      ws.on('message', (data) => {
        const packet = wsText(data);
        if (packet === '2') return ws.send('3'); // Engine.IO ping
        if (packet.startsWith('0')) {
          ws.send('40{"since":0}');
          ws.pause();
          return resolve({ ids, resume: () => ws.resume(), close: () => ws.terminate() });
        }
        if (!packet.startsWith('42')) return;
        const [event, payload] = JSON.parse(packet.slice(2)) as [string, Message];
        if (event === 'message') ids.push(payload.id);
      });
      ws.once('error', reject);
    }),

  sse: (baseUrl) =>
    new Promise((resolve, reject) => {
      const request = http.get(`${baseUrl}/api/sse/messages?since=0`, (response) => {
        // Nobody reads the body yet: Node's HTTP client stops reading the socket once its buffer is full.
        const ids: number[] = [];
        let text = '';
        const read = (chunk: string): void => {
          const events = (text + chunk).split('\n\n');
          text = events.pop()!;
          for (const event of events) {
            if (!event.includes('event: message')) continue;
            const data = event.split('\n').find((line) => line.startsWith('data: '))!;
            ids.push((JSON.parse(data.slice('data: '.length)) as Message).id);
          }
        };
        resolve({
          ids,
          resume: () => {
            response.setEncoding('utf8');
            response.on('data', read);
          },
          close: () => request.destroy(),
        });
      });
      request.once('error', reject);
    }),
};

describe('catch-up back-pressure: a slow reader resuming from an old cursor', () => {
  let server: RunningServer;
  let room: Room;
  /** The server's side of every TCP connection: what Node holds there and the kernel has not taken. */
  const serverSockets = new Set<Socket>();

  before(async () => {
    room = new Room({ historyLimit: BACKLOG + 100 });
    for (let n = 0; n < BACKLOG; n++) await room.append({ ...input(''), text: TEXT }, 'websocket');
    server = await startServer({
      room,
      // Several MB of catch-up per test, from one address: not what this test is about.
      catchupBurstBytesPerIp: 1e9,
      catchupBytesPerSecPerIp: 1e9,
      // No heartbeat while the reader is paused.
      pingIntervalMs: 600_000,
    });
    server.app.server.on('connection', (socket: Socket) => {
      serverSockets.add(socket);
      socket.once('close', () => serverSockets.delete(socket));
    });
  });
  after(() => server.close());

  for (const [name, openPausedReader] of Object.entries(PAUSED_READERS)) {
    it(`${name}: the server buffers a few chunks, not the backlog; every message arrives once, in order`, async (t) => {
      let peakBuffered = 0;
      const sample = (): number => {
        let buffered = 0;
        for (const socket of serverSockets) buffered += socket.writableLength;
        peakBuffered = Math.max(peakBuffered, buffered);
        return buffered;
      };
      const sampler = setInterval(sample, 2);
      const reader = await openPausedReader(server.baseUrl);
      try {
        // Until the server has written what it will while nobody reads: its buffer stops changing.
        let last = -1;
        await waitFor(
          () => {
            const now = sample();
            const settled = now === last && now > 0;
            last = now;
            return settled;
          },
          20_000,
          'the server to stop writing to the paused reader',
        ).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const firstLive = room.cursor + 1;
        for (let n = 0; n < LIVE; n++) await room.append(input(`live ${n}`), 'websocket');
        await new Promise((resolve) => setTimeout(resolve, 100));
        sample();
        // The unfixed server wrote the whole backlog at once: several MB held here.
        t.diagnostic(`${name}: the server held at most ${peakBuffered} bytes for the paused reader`);
        assert.ok(peakBuffered <= 4 * CATCHUP_CHUNK_BYTES, `the server held ${peakBuffered} bytes for one paused reader`);

        reader.resume();
        const expected = room.since(0).messages.map((message) => message.id);
        await waitFor(() => reader.ids.length >= expected.length, 60_000, `${name}: ${reader.ids.length}/${expected.length} messages`);
        await new Promise((resolve) => setTimeout(resolve, 100)); // nothing doubled behind the last one
        assert.deepEqual(reader.ids, expected);
        assert.equal(reader.ids.at(-LIVE), firstLive, 'the live messages follow the backlog');
      } finally {
        clearInterval(sampler);
        reader.close();
      }
    });
  }
});
