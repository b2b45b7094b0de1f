// The benchmark's byte-level reading of an SSE answer (bench/raw-http.ts's
// chunked framing, bench/sse-parser.ts's event-stream format) when the bytes
// come in awkward pieces: a server on a plain socket writes a chunked answer a
// few bytes at a time, cutting the head, the chunk sizes, the lines and a
// multi-byte character, and the lean EventSource must see every event whole.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LeanEventSource, type LeanEvent } from '../bench/event-source.js';
import { SseParser, type SseEvent } from '../bench/sse-parser.js';
import { waitFor } from './helpers.js';

const STREAM = [
  'retry: 1500\n',
  ': ping\n\n',
  'id: e:1\nevent: welcome\ndata: {"cursor":1}\n\n',
  'id: e:2\r\nevent: message\r\ndata: {"text":"Grüße, 👋"}\r\n\r\n',
  'data: first line\ndata: second line\n\n',
];

describe("the benchmark's SSE reading", () => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const body = Buffer.concat(
      STREAM.map((event) => {
        const bytes = Buffer.from(event);
        return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
      }),
    );
    const answer = Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n'),
      body,
    ]);
    // Three bytes at a time, each its own segment.
    socket.setNoDelay(true);
    let at = 0;
    const timer = setInterval(() => {
      if (at >= answer.length) return clearInterval(timer);
      socket.write(answer.subarray(at, (at += 3)));
    }, 1);
    socket.on('close', () => clearInterval(timer));
    socket.on('error', () => undefined);
  });
  let url = '';
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  });
  after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  it('hands over every event whole, with its type, id and data, however the bytes were cut', async () => {
    const source = new LeanEventSource(url);
    const events: LeanEvent[] = [];
    for (const type of ['welcome', 'message']) source.addEventListener(type, (event) => events.push({ ...event }));
    await waitFor(() => events.length === 3, 5000, 'three events');
    source.close();
    assert.deepEqual(events, [
      { type: 'welcome', data: '{"cursor":1}', lastEventId: 'e:1' },
      { type: 'message', data: '{"text":"Grüße, 👋"}', lastEventId: 'e:2' },
      { type: 'message', data: 'first line\nsecond line', lastEventId: 'e:2' },
    ]);
  });

  it('reads retry, skips comments, and lets an id without data move the last id', () => {
    const events: SseEvent[] = [];
    const retries: number[] = [];
    const parser = new SseParser(
      (event) => events.push(event),
      (ms) => retries.push(ms),
    );
    parser.feed(Buffer.from('retry: 250\nretry: soon\n: a comment\n\nid: 7\n\nevent: x\ndata'));
    parser.feed(Buffer.from(':\n\n'));
    assert.deepEqual(retries, [250]);
    assert.deepEqual(events, [
      { event: undefined, id: '7', data: undefined },
      { event: 'x', id: undefined, data: '' },
    ]);
  });
});
