// Hostile input on the HTTP routes: each case gets its documented 4xx JSON
// error, never a 5xx, and bystanders on every transport keep chatting.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Bystanders, rawExchange } from './faults/hostile.js';
import { disconnectAll, input, startServer, type RunningServer } from './helpers.js';

describe('hostile HTTP input', () => {
  let server: RunningServer;
  let bystanders: Bystanders;
  const url = (path: string): string => `${server.baseUrl}${path}`;
  const post = (body: string, contentType = 'application/json', path = '/api/short-polling/messages') =>
    fetch(url(path), { method: 'POST', headers: { 'content-type': contentType }, body });

  async function expectError(response: Response, status: number, code: string): Promise<void> {
    const body = (await response.json()) as { error?: { code: string; message: string } };
    assert.equal(response.status, status, JSON.stringify(body));
    assert.equal(body.error?.code, code);
    assert.equal(typeof body.error?.message, 'string');
  }

  before(async () => {
    server = await startServer({ requestTimeoutMs: 1500, longPollMaxWaitMs: 1000, longPollMaxHeldPerIp: 5 });
    bystanders = await Bystanders.join(server.baseUrl);
  });
  afterEach(() => bystanders.check());
  after(async () => {
    disconnectAll();
    await server.close();
  });

  it('oversize body: 413 payload_too_large', async () => {
    const text = 'x'.repeat(20 * 1024);
    await expectError(await post(JSON.stringify(input(text))), 413, 'payload_too_large');
  });

  it('oversize text (1001 characters): 400 invalid_message', async () => {
    await expectError(await post(JSON.stringify(input('y'.repeat(1001)))), 400, 'invalid_message');
  });

  it('non-JSON body: 400 invalid_json', async () => {
    await expectError(await post('{"clientMsgId": "a", "author": '), 400, 'invalid_json');
  });

  it('a JSON array, a string, null: 400 invalid_message', async () => {
    for (const body of ['[1,2,3]', '"hello"', 'null']) await expectError(await post(body), 400, 'invalid_message');
  });

  it('deep nesting (5,000 levels): 400, no stack overflow', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    await expectError(await post(`{"clientMsgId":"deep","author":"a","text":${deep}}`), 400, 'invalid_message');
  });

  it('__proto__ and constructor.prototype keys: 400, nothing polluted', async () => {
    // Fastify's JSON parser refuses prototype poisoning outright.
    await expectError(await post('{"__proto__":{"polluted":true},"clientMsgId":"p1","author":"a","text":"b"}'), 400, 'invalid_json');
    await expectError(
      await post('{"constructor":{"prototype":{"polluted":true}},"clientMsgId":"p2","author":"a","text":"b"}'),
      400,
      'invalid_json',
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('wrong types and extra keys: 400 invalid_message', async () => {
    for (const body of [
      { clientMsgId: 'w1', author: 'a', text: 123 },
      { clientMsgId: 42, author: 'a', text: 'b' },
      { clientMsgId: 'w2', author: ['a'], text: 'b' },
      { clientMsgId: 'w3', author: 'a', text: 'b', admin: true },
      { clientMsgId: 'w4 with spaces', author: 'a', text: 'b' },
    ]) {
      await expectError(await post(JSON.stringify(body)), 400, 'invalid_message');
    }
  });

  it('a body that is not JSON by type: 415 (text/plain too: a cross-site form can send it without a preflight)', async () => {
    await expectError(await post(JSON.stringify(input('hi')), 'application/xml'), 415, 'unsupported_media_type');
    await expectError(await post(JSON.stringify(input('hi')), 'text/plain'), 415, 'unsupported_media_type');
  });

  it('absurd since, epoch and wait: 400 invalid_query', async () => {
    for (const query of [
      'since=-1',
      'since=1e3',
      'since=abc',
      'since=99999999999999999999',
      'since=1.5',
      'since=0x10',
      `epoch=${'e'.repeat(65)}`,
    ]) {
      await expectError(await fetch(url(`/api/short-polling/messages?${query}`)), 400, 'invalid_query');
      await expectError(await fetch(url(`/api/long-polling/messages?${query}&wait=0`)), 400, 'invalid_query');
    }
    await expectError(await fetch(url('/api/long-polling/messages?since=0&wait=1001')), 400, 'invalid_query');
  });

  it('a since beyond the room: 200 with reset and the retained history', async () => {
    const response = await fetch(url('/api/short-polling/messages?since=999999999999999'));
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { reset?: boolean }).reset, true);
  });

  it('many held polls from one client: only the newest is held, the others answered at once', async () => {
    const since = ((await (await fetch(url('/api/short-polling/messages'))).json()) as { cursor: number }).cursor;
    const polls = Array.from({ length: 4 }, () => fetch(url(`/api/long-polling/messages?since=${since}&wait=1000&client=same`)));
    const answers = await Promise.all(polls.map(async (poll) => (await poll).status));
    assert.deepEqual(answers, [200, 200, 200, 200]);
  });

  it('many held polls from one address: 429 too_many_polls with Retry-After beyond the cap', async () => {
    const since = ((await (await fetch(url('/api/short-polling/messages'))).json()) as { cursor: number }).cursor;
    const controller = new AbortController();
    const held = Array.from({ length: 5 }, (_, n) =>
      fetch(url(`/api/long-polling/messages?since=${since}&wait=1000&client=held${n}`), { signal: controller.signal }).catch(
        () => undefined,
      ),
    );
    // The bystander long-poll client holds one too, so the 6th from this address is over the cap of 5.
    const over = await fetch(url(`/api/long-polling/messages?since=${since}&wait=1000&client=over`));
    await expectError(over, 429, 'too_many_polls');
    assert.equal(over.headers.get('retry-after'), '1');
    controller.abort();
    await Promise.all(held);
  });

  it('slow-drip request: cut with 408 once the request timeout passes', async () => {
    const head =
      'POST /api/short-polling/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n';
    const startedAt = Date.now();
    const socketChunks: string[] = [head, '{"clientMsgId":'];
    const response = await rawExchange(server.port, socketChunks, 10_000);
    assert.equal(response.status, 408, response.head);
    assert.ok(Date.now() - startedAt < 10_000);
  });

  it('slow-drip headers: cut with 408 as well', async () => {
    const response = await rawExchange(server.port, ['GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '], 10_000);
    assert.equal(response.status, 408, response.head);
  });

  it('HTML, script, zero-width and RTL-override text: stored and returned as the same text', async () => {
    const text = '<script>alert(1)</script><img src=x onerror=alert(2)> a\u200Bb\u200Dc \u202Egnp.exe\u202C &amp; "quotes"';
    const sent = input(text, '<b>mallory</b>\u202E');
    const response = await post(JSON.stringify(sent));
    assert.equal(response.status, 201);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const { message } = (await response.json()) as { message: { text: string; author: string } };
    assert.equal(message.text, text);
    assert.equal(message.author, '<b>mallory</b>\u202E');
    const log = (await (await fetch(url('/api/short-polling/messages?since=0'))).json()) as {
      messages: Array<{ clientMsgId: string; text: string }>;
    };
    assert.equal(log.messages.find((m) => m.clientMsgId === sent.clientMsgId)?.text, text);
  });

  it('unknown routes and methods: 404 JSON, never 5xx', async () => {
    await expectError(await fetch(url('/api/nope')), 404, 'not_found');
    await expectError(await fetch(url('/api/short-polling/messages'), { method: 'DELETE' }), 404, 'not_found');
  });
});
