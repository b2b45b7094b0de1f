// The HTTP transports' injectable fetch (ClientTransportOptions.fetch, the
// benchmark's load generator rides it): every request a client makes goes
// through the fetch it was given, and its traffic counters add up to what
// that fetch saw on the wire.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpClient } from '../bench/http-clients.js';
import { TRANSPORTS as DESCRIPTORS } from '../src/chat/transports.js';
import type { FetchFunction } from '../src/client/transport.js';
import { connected, disconnectAll, input, makeClient, startServer, type RunningServer } from './helpers.js';

interface Seen {
  method: string;
  path: string;
  status: number;
  bytes: number;
}

/** A real fetch (undici's request API, as the benchmark uses) that notes every request and the bytes of every answer. */
function recordingFetch(inner: FetchFunction, seen: Seen[]): FetchFunction {
  return async (url, init) => {
    const response = await inner(url, init);
    const body = await response.text();
    seen.push({ method: init.method ?? 'GET', path: new URL(url).pathname, status: response.status, bytes: Buffer.byteLength(body) });
    return { ...response, text: () => Promise.resolve(body) };
  };
}

const HTTP_TRANSPORTS = DESCRIPTORS.filter((descriptor) => descriptor.name !== 'websocket' && descriptor.name !== 'socketio');

describe('injected fetch (HttpChannel)', () => {
  let server: RunningServer;
  const httpClient = createHttpClient('undici');
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    disconnectAll();
    await httpClient.close();
    await server.close();
  });

  for (const { name, kind } of HTTP_TRANSPORTS) {
    it(`${name}: polls and sends go through the given fetch, and traffic counts what it saw`, async () => {
      const seen: Seen[] = [];
      const client = makeClient(name, server.baseUrl, { fetch: recordingFetch(httpClient.fetch, seen) });
      const recorder = await connected(client);
      const receipt = await client.send(input(`through the channel (${name})`));
      await recorder.waitForMessages(1);
      assert.equal(recorder.messages[0]!.id, receipt.id);
      client.disconnect();

      const sends = seen.filter((request) => request.method === 'POST');
      assert.deepEqual(
        sends.map(({ path, status }) => ({ path, status })),
        [{ path: `/api/${name}/messages`, status: 201 }],
      );
      if (kind === 'push') {
        // SSE: only the sends ride fetch; the stream is the EventSource's (one more request, its bytes counted too).
        assert.equal(client.traffic.requests, seen.length + 1);
        assert.ok(client.traffic.bytesIn > sum(seen.map((request) => request.bytes)));
        return;
      }
      // Every request the client counted is one the injected fetch made, except a poll
      // still held when disconnect() aborted it (counted, never answered).
      const unanswered = client.traffic.requests - seen.length;
      assert.ok(unanswered === 0 || unanswered === 1, `${name}: ${client.traffic.requests} counted, ${seen.length} seen`);
      assert.ok(
        seen.filter((request) => request.method === 'GET').every((poll) => poll.path === `/api/${name}/messages` && poll.status === 200),
      );
      assert.equal(client.traffic.bytesIn, sum(seen.map((request) => request.bytes)));
    });
  }
});

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
