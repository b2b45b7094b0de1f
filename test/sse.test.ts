// Server-Sent Events on the wire: the stream's contract, resume through the
// EventSource's own reconnect (Last-Event-ID), refusals before the stream,
// our client's own reconnect after a refusal, lab impairments, shutdown.
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import type { Message } from '../src/chat/message.js';
import type { SseTransport } from '../src/client/sse.js';
import {
  connected,
  disconnectAll,
  input,
  isStrictlyIncreasing,
  makeClient,
  Recorder,
  startServer,
  waitFor,
  type RunningServer,
} from './helpers.js';

const TOKEN = 'sse-test-token';

interface SseEvent {
  id?: string;
  event?: string;
  retry?: string;
  data: string;
}

interface RawStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body of a refusal (a stream's body never ends while open). */
  body: Promise<string>;
  events: SseEvent[];
  comments: string[];
  ended: Promise<void>;
  close(): void;
}

/** A GET read raw, its events parsed as the SSE spec says (fields per line, blank line ends an event). */
function openStream(server: RunningServer, query: string, headers: Record<string, string> = {}): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.baseUrl}/api/sse/messages${query}`, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      const events: SseEvent[] = [];
      const comments: string[] = [];
      let text = '';
      let resolveBody: (body: string) => void = () => undefined;
      const body = new Promise<string>((done) => (resolveBody = done));
      res.on('data', (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const event: SseEvent = { data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const colon = line.indexOf(':');
              const field = line.slice(0, colon);
              const value = line.slice(colon + 1).replace(/^ /, '');
              if (field === 'data') event.data += value;
              else if (field === 'id' || field === 'event' || field === 'retry') event[field] = value;
            }
          }
          if (event.event !== undefined || event.data) events.push(event);
        }
      });
      const ended = new Promise<void>((done) => res.once('close', done));
      res.once('end', () => resolveBody(text));
      resolve({ status: res.statusCode!, headers: res.headers, body, events, comments, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

async function post(server: RunningServer, text: string): Promise<Message> {
  const response = await fetch(`${server.baseUrl}/api/sse/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input(text)),
  });
  assert.equal(response.status, 201);
  return ((await response.json()) as { message: Message }).message;
}

const messageIds = (stream: RawStream): number[] =>
  stream.events.filter((event) => event.event === 'message').map((event) => (JSON.parse(event.data) as Message).id);

describe('Server-Sent Events', () => {
  let server: RunningServer;
  let epoch: string;
  const streams: RawStream[] = [];
  const open = async (query: string, headers?: Record<string, string>): Promise<RawStream> => {
    const stream = await openStream(server, query, headers);
    streams.push(stream);
    return stream;
  };
  before(async () => {
    server = await startServer({ presenterToken: TOKEN, rateLimit: false, pingIntervalMs: 300 });
    epoch = ((await (await fetch(`${server.baseUrl}/api/config`)).json()) as { epoch: string }).epoch;
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    disconnectAll();
    await fetch(`${server.baseUrl}/api/lab`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ addedLatencyMs: { sse: 0 } }),
    });
  });
  after(() => server.close());

  it('streams a welcome, the catch-up and live messages, each with an <epoch>:<id> id', async () => {
    const first = await post(server, 'one');
    const sent = [first, await post(server, 'two'), await post(server, 'three')];
    assert.equal(first.via, 'sse');
    const stream = await open(`?since=${first.id}&epoch=${epoch}`);
    assert.equal(stream.status, 200);
    assert.match(stream.headers['content-type']!, /^text\/event-stream/);
    assert.equal(stream.headers['cache-control'], 'no-cache');
    assert.equal(stream.headers['x-accel-buffering'], 'no');
    // A hijacked stream writes the API's nosniff and CORP itself.
    assert.equal(stream.headers['x-content-type-options'], 'nosniff');
    assert.equal(stream.headers['cross-origin-resource-policy'], 'same-origin');
    await waitFor(() => stream.events.length >= 3, 5000, 'welcome and catch-up');
    const [welcome, ...catchup] = stream.events;
    assert.equal(welcome!.event, 'welcome');
    assert.equal(welcome!.id, `${epoch}:${first.id}`, 'the welcome resumes after the cursor the catch-up continues from');
    assert.ok(Number(welcome!.retry) > 0, 'a retry field');
    assert.deepEqual(JSON.parse(welcome!.data), { epoch, cursor: sent[2]!.id, nodeId: server.app.nodeId });
    assert.deepEqual(
      catchup.map((event) => [event.event, event.id]),
      sent.slice(1).map((message) => ['message', `${epoch}:${message.id}`]),
    );
    assert.deepEqual(JSON.parse(catchup[0]!.data), sent[1]);

    const live = await post(server, 'live');
    await waitFor(() => stream.events.length >= 4, 5000, 'the live message');
    assert.equal(stream.events[3]!.id, `${epoch}:${live.id}`);
    await waitFor(() => stream.comments.includes('ping'), 5000, 'a ping comment');
  });

  it('takes Last-Event-ID over the query; a foreign epoch there resets', async () => {
    const sent = [await post(server, 'a'), await post(server, 'b'), await post(server, 'c')];
    const resumed = await open('?since=0', { 'last-event-id': `${epoch}:${sent[0]!.id}` });
    await waitFor(() => messageIds(resumed).length >= 2, 5000, 'resume after Last-Event-ID');
    assert.deepEqual(messageIds(resumed), [sent[1]!.id, sent[2]!.id]);

    const reset = await open('', { 'last-event-id': `another-epoch:${sent[0]!.id}` });
    await waitFor(() => reset.events.length >= 1, 5000, 'welcome');
    assert.deepEqual(JSON.parse(reset.events[0]!.data), { epoch, cursor: sent[2]!.id, nodeId: server.app.nodeId, reset: true });
  });

  it('refuses a bad since, epoch or Last-Event-ID with 400 JSON before any stream', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['?since=-1', {}],
      ['?since=1e3', {}],
      ['?since=01', {}],
      [`?epoch=${'e'.repeat(65)}`, {}],
      ['', { 'last-event-id': 'nonsense' }],
      ['', { 'last-event-id': `${epoch}:-1` }],
      ['', { 'last-event-id': ':5' }],
      ['', { 'last-event-id': `${epoch}:1.5` }],
      ['?since=0', { 'last-event-id': `${'e'.repeat(65)}:5` }],
    ];
    for (const [query, headers] of cases) {
      const stream = await open(query, headers);
      const what = `${query} ${JSON.stringify(headers)}`;
      assert.equal(stream.status, 400, what);
      assert.match(stream.headers['content-type']!, /application\/json/, what);
      assert.equal((JSON.parse(await stream.body) as { error: { code: string } }).error.code, 'invalid_query', what);
    }
  });

  it('refuses a foreign Origin with 403 and allows its own', async () => {
    const foreign = await open('', { origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal((JSON.parse(await foreign.body) as { error: { code: string } }).error.code, 'forbidden_origin');
    const own = await open('', { origin: server.baseUrl });
    assert.equal(own.status, 200);
  });

  it('the EventSource reconnects by itself after a cut and resumes with Last-Event-ID: every message once, in order', async () => {
    const ids: number[] = [];
    let errors = 0;
    const source = new EventSource(`${server.baseUrl}/api/sse/messages?since=${(await post(server, 'start')).id}&epoch=${epoch}`);
    try {
      source.addEventListener('message', (event) => ids.push((JSON.parse(event.data as string) as Message).id));
      source.addEventListener('error', () => errors++);
      await new Promise((resolve) => source.addEventListener('welcome', resolve, { once: true }));
      const sent = [(await post(server, 'before the cut')).id];
      await waitFor(() => ids.length === 1, 5000, 'the first message');
      const dropped = server.app.lab.dropHere('sse');
      assert.ok(dropped >= 1);
      // Sent while the stream is down: the reconnect must bring them, once.
      for (let n = 0; n < 5; n++) sent.push((await post(server, `during the cut ${n}`)).id);
      await waitFor(() => ids.length >= sent.length, 10_000, `resumed messages (${ids.length}/${sent.length})`);
      sent.push((await post(server, 'after')).id);
      await waitFor(() => ids.length >= sent.length, 5000, 'the live message after');
      await new Promise((resolve) => setTimeout(resolve, 200)); // room for a stray duplicate
      assert.ok(errors >= 1, 'the cut was seen');
      assert.deepEqual(ids, sent, 'nothing lost, nothing doubled, in order (the replay started at Last-Event-ID, not at the query)');
    } finally {
      source.close();
    }
  });

  it("our client shows the EventSource's readyState and own reconnects, and loses nothing across them", async () => {
    const client = makeClient('sse', server.baseUrl) as SseTransport;
    const recorder = await connected(client);
    assert.match(client.detail, /readyState OPEN/);
    const sent = [(await post(server, 'one')).id];
    await recorder.waitForMessages(1);
    server.app.lab.dropHere('sse');
    sent.push((await post(server, 'while cut')).id);
    await recorder.waitForSyncs(2, 10_000);
    await recorder.waitForMessages(2);
    assert.equal(client.ownReconnects, 1);
    assert.deepEqual(recorder.ids(), sent);
    await waitFor(() => /readyState OPEN · 1 own reconnect$/.test(client.detail), 5000, `detail: ${client.detail}`);
  });

  it('added latency delays each event', async () => {
    const LATENCY_MS = 400;
    const client = makeClient('sse', server.baseUrl);
    const recorder = await connected(client);
    await fetch(`${server.baseUrl}/api/lab`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ addedLatencyMs: { sse: LATENCY_MS } }),
    });
    // Sent over another transport, so only the event's way down is delayed.
    const sentAt = performance.now();
    const response = await fetch(`${server.baseUrl}/api/long-polling/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input('slow down')),
    });
    assert.equal(response.status, 201);
    await recorder.waitForMessages(1);
    assert.ok(performance.now() - sentAt >= LATENCY_MS, `arrived after ${performance.now() - sentAt} ms`);
  });

  it('counts its connections and bytes in /api/stats', async () => {
    const stream = await open('');
    await waitFor(() => stream.events.length >= 1, 5000, 'welcome');
    await post(server, 'counted');
    type Stats = {
      transports: { sse: { connections: number; totals: { messages: number; wireBytesOut: number; payloadBytesOut: number } } };
    };
    // One sample a second: ask until one shows the stream.
    const deadline = Date.now() + 5000;
    for (;;) {
      const { sse } = ((await (await fetch(`${server.baseUrl}/api/stats`)).json()) as Stats).transports;
      if (sse.connections >= 1 && sse.totals.messages >= 1 && sse.totals.payloadBytesOut > 0 && sse.totals.wireBytesOut > 0) break;
      assert.ok(Date.now() < deadline, `stats never showed the stream: ${JSON.stringify(sse)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});

describe('Server-Sent Events limits', () => {
  it('beyond the per-IP cap: 429 JSON; our client then reconnects by itself, with backoff, from its cursor', async () => {
    const server = await startServer({ maxConnectionsPerIp: 1, rateLimit: false });
    try {
      const holder = await openStream(server, '');
      assert.equal(holder.status, 200);
      const refused = await openStream(server, '');
      assert.equal(refused.status, 429);
      assert.equal((JSON.parse(await refused.body) as { error: { code: string } }).error.code, 'too_many_connections');

      // The EventSource gives up for good on the 429; our client does not.
      const client = makeClient('sse', server.baseUrl, { since: 0 });
      const statuses: string[] = [];
      client.on('status', (status, detail) => statuses.push(`${status}: ${detail}`));
      const recorder = new Recorder(client);
      client.connect();
      await waitFor(() => statuses.some((status) => status.startsWith('reconnecting')), 5000, 'a refused attempt');
      const sent = [(await post(server, 'while refused')).id];
      holder.close();
      await holder.ended;
      await recorder.waitForSyncs(1, 10_000);
      await recorder.waitForMessages(1);
      sent.push((await post(server, 'after')).id);
      await recorder.waitForMessages(2);
      assert.deepEqual(recorder.ids(), sent);
      assert.ok(isStrictlyIncreasing(recorder.ids()));
      client.disconnect();
    } finally {
      disconnectAll();
      await server.close();
    }
  });

  it('ends every stream on shutdown', async () => {
    const server = await startServer();
    const stream = await openStream(server, '');
    await waitFor(() => stream.events.length >= 1, 5000, 'welcome');
    const started = Date.now();
    await server.close();
    await stream.ended;
    assert.ok(Date.now() - started < 5000);
  });
});
