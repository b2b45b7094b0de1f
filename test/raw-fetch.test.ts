// The benchmark's fetch on plain sockets (bench/raw-fetch.ts, bench/raw-http.ts)
// under the real polling clients against a real server: messages both ways
// with the connections kept alive, the server's refusals read as fetch reads
// them, and an abort that ends a held poll at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawFetchPool } from '../bench/raw-fetch.js';
import { TRANSPORTS } from '../src/chat/transports.js';
import { connected, disconnectAll, input, makeClient, startServer, type RunningServer } from './helpers.js';

const POLLING = TRANSPORTS.filter((transport) => transport.kind === 'poll').map((transport) => transport.name);

describe('the raw fetch (benchmark)', () => {
  let server: RunningServer;
  let connections = 0;
  const pool = new RawFetchPool();
  before(async () => {
    server = await startServer({ rateLimit: false });
    server.app.server.on('connection', () => connections++);
  });
  after(async () => {
    disconnectAll();
    pool.close();
    await server.close();
  });

  for (const name of POLLING) {
    it(`carries ${name}'s sends and polls, on kept-alive connections`, async () => {
      const before = connections;
      const client = makeClient(name, server.baseUrl, { fetch: pool.fetch });
      const recorder = await connected(client);
      const sent: number[] = [];
      for (let n = 0; n < 10; n++) sent.push((await client.send(input(`over raw ${n}`))).id);
      await recorder.waitForMessages(sent.length);
      assert.deepEqual(recorder.ids(), sent);
      assert.ok(client.traffic.requests >= 11, `${client.traffic.requests} requests`);
      // A send and a held poll at once need two connections; every later request reuses them.
      assert.ok(connections - before <= 3, `${connections - before} connections for ${client.traffic.requests} requests`);
      client.disconnect();
    });
  }

  it("reads a refusal as fetch does: status, headers, the error's JSON", async () => {
    const response = await pool.fetch(`${server.baseUrl}/api/long-polling/messages`, {
      method: 'POST',
      signal: new AbortController().signal,
      headers: { 'content-type': 'application/json' },
      body: '{"text":"no author, no id"}',
    });
    assert.equal(response.ok, false);
    assert.equal(response.status, 400);
    assert.match(response.headers.get('Content-Type') ?? '', /^application\/json/);
    const body = JSON.parse(await response.text()) as { error: { code: string } };
    assert.equal(typeof body.error.code, 'string');
  });

  it('rejects with an AbortError as soon as its signal aborts, on a held long poll', async () => {
    const url = `${server.baseUrl}/api/long-polling/messages`;
    const join = await pool.fetch(url, { method: 'GET', signal: new AbortController().signal });
    const { cursor, epoch } = JSON.parse(await join.text()) as { cursor: number; epoch: string };
    const abort = new AbortController();
    const held = pool.fetch(`${url}?since=${cursor}&epoch=${epoch}`, { method: 'GET', signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    const started = performance.now();
    await assert.rejects(held, { name: 'AbortError' });
    assert.ok(performance.now() - started < 2000, 'not after the 25 s hold');
  });
});
