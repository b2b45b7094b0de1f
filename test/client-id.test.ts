// The client id on the wire: every transport's client carries one (the real
// clients, seen from the server), a bad one is refused with a clear 4xx or
// connect_error on every transport, and an SSE flooder that names none is
// expelled like the others (issue 12: it could not be, before).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { parseClientId } from '../src/transports/client-id.js';
import {
  connected,
  disconnectAll,
  floodSseStream,
  input,
  makeClient,
  startServer,
  TRANSPORTS,
  type ErrorReply,
  type RunningServer,
} from './helpers.js';

const BAD_IDS = ['', 'x'.repeat(65), 'has space', 'semi;colon', 'é'];

describe('parseClientId', () => {
  it('takes 1-64 characters of A-Z a-z 0-9 . _ : -, and absence; refuses anything else as invalid_query', () => {
    for (const good of ['a', 'x'.repeat(64), 'A-z.0_9:-', '6f1c0a9e4b2d4c7f8e1a2b3c4d5e6f70'])
      assert.deepEqual(parseClientId(good), { ok: true, value: good });
    assert.deepEqual(parseClientId(undefined), { ok: true, value: undefined });
    for (const bad of [...BAD_IDS, 42, {}, ['a']]) {
      const parsed = parseClientId(bad);
      assert.equal(parsed.ok, false, JSON.stringify(bad));
      if (!parsed.ok) assert.equal(parsed.error.code, 'invalid_query');
    }
  });
});

describe('client id on every transport', () => {
  let server: RunningServer;
  before(async () => (server = await startServer()));
  after(async () => {
    disconnectAll();
    await server.close();
  });

  it('the real client of every transport names itself with its clientId (one participant, whatever it does)', async () => {
    for (const name of TRANSPORTS) {
      const clientId = `me-${name}`;
      const client = makeClient(name, server.baseUrl, { clientId });
      await connected(client);
      await client.send(input(`hello from ${name}`));
      assert.equal(client.clientId, clientId);
    }
    // Sends and polls of one client count once: exactly one participant per transport.
    const counts = server.app.lab.stats.presence.counts(Date.now());
    assert.deepEqual(counts, Object.fromEntries(TRANSPORTS.map((name) => [name, 1])));
    disconnectAll();
  });

  it('HTTP: a bad client= is 400 invalid_query on polls, sends and the SSE stream', async () => {
    for (const bad of BAD_IDS) {
      const client = encodeURIComponent(bad);
      const requests = [
        fetch(`${server.baseUrl}/api/short-polling/messages?client=${client}`),
        fetch(`${server.baseUrl}/api/long-polling/messages?wait=0&client=${client}`),
        fetch(`${server.baseUrl}/api/sse/messages?client=${client}`),
        fetch(`${server.baseUrl}/api/short-polling/messages?client=${client}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input('never appended')),
        }),
      ];
      for (const response of await Promise.all(requests)) {
        assert.equal(response.status, 400, `${response.url}`);
        assert.equal(((await response.json()) as ErrorReply).error.code, 'invalid_query');
      }
    }
  });

  it('WebSocket: a bad client= refuses the upgrade with 400 and says why', async () => {
    for (const bad of BAD_IDS.slice(1)) {
      const ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/ws?client=${encodeURIComponent(bad)}`);
      ws.on('error', () => {});
      const [, response] = (await once(ws, 'unexpected-response')) as [unknown, http.IncomingMessage];
      let body = '';
      for await (const chunk of response) body += String(chunk);
      ws.terminate();
      assert.equal(response.statusCode, 400);
      assert.match(body, /client must be 1-64 characters/);
    }
  });

  it('Socket.IO: a bad auth.client fails the connection with connect_error invalid_query', async () => {
    for (const bad of [...BAD_IDS, 42]) {
      const socket = io(server.baseUrl, { auth: { client: bad }, transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        const error = await new Promise<Error & { data?: { code: string } }>((resolve) => socket.once('connect_error', resolve));
        assert.equal(error.data?.code, 'invalid_query', JSON.stringify(bad));
      } finally {
        socket.close();
      }
    }
  });
});

describe('issue 12: an SSE flooder without client= is expelled like the others', () => {
  it(
    'its stream ends once the id-less POSTs of its address keep hitting the limit; a stream with its own id stays',
    { timeout: 60_000 },
    async () => {
      const server = await startServer({ sendRatePerClient: 1, sendBurstPerClient: 3 });
      try {
        const flood = await floodSseStream(server.baseUrl, { streamQuery: '', sendQuery: '' });
        assert.equal(flood.flooderStatus, 200);
        assert.ok(flood.sendStatuses.includes(429), flood.sendStatuses.join());
        assert.equal(flood.neighbourOpen, true, 'a client with its own id is not its neighbour’s flood');
      } finally {
        await server.close();
      }
    },
  );
});
