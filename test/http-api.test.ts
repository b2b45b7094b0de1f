// The HTTP routes through Fastify's inject(): shapes, errors, idempotency.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { TRANSPORTS } from '../src/chat/transports.js';
import type { Catchup } from '../src/chat/room.js';
import { buildServer } from '../src/server.js';
import { serverTransports } from '../src/transports/index.js';
import type { ErrorReply, MessageReply } from './helpers.js';

describe('HTTP API', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildServer({ logLevel: 'silent' });
  });
  after(() => app.close());

  const post = (via: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    app.inject({
      method: 'POST',
      url: `/api/${via}/messages`,
      headers,
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('registers its plugins by name, each transport in its own scope', () => {
    const transports = Object.keys(serverTransports).map((name) => `transport-${name}`);
    for (const name of ['errors', 'request-hooks', 'lab', 'upgrade-router', ...transports]) assert.ok(app.hasPlugin(name), name);
    // Socket.IO's scope drops every body parser; the rest of the server still parses JSON.
    assert.ok(app.hasContentTypeParser('application/json'));
  });

  it('answers health and serves a page at /', async () => {
    assert.deepEqual((await app.inject('/api/health')).json(), { ok: true });
    const page = await app.inject('/');
    assert.equal(page.statusCode, 200);
  });

  // Every transport that sends with a POST, and receives with a GET (a poll or an event stream).
  for (const { name: via, kind } of TRANSPORTS.filter((transport) => transport.send === 'post')) {
    describe(via, () => {
      it('creates a message (201), trims, labels it with its transport', async () => {
        const response = await post(via, { clientMsgId: `${via}-1`, author: ' ana ', text: '  hello  ' });
        assert.equal(response.statusCode, 201);
        const { message } = response.json<MessageReply>();
        assert.equal(message.author, 'ana');
        assert.equal(message.text, 'hello');
        assert.equal(message.via, via);
        assert.equal(message.clientMsgId, `${via}-1`);
        assert.ok(Number.isInteger(message.id));
        assert.ok(Math.abs(message.at - Date.now()) < 60_000);
      });

      it('returns the original message for a re-sent clientMsgId and appends nothing', async () => {
        const first = (await post(via, { clientMsgId: `${via}-dup`, author: 'ana', text: 'once' })).json<MessageReply>().message;
        const before = (await app.inject(`/api/short-polling/messages?since=0`)).json<Catchup>().cursor;
        const again = await post(via, { clientMsgId: `${via}-dup`, author: 'ana', text: 'twice?' });
        assert.equal(again.statusCode, 201);
        assert.deepEqual(again.json<MessageReply>().message, first);
        assert.equal((await app.inject(`/api/short-polling/messages?since=0`)).json<Catchup>().cursor, before);
      });

      const bad: Array<[string, unknown, number, string]> = [
        ['empty text', { clientMsgId: 'b1', author: 'ana', text: '   ' }, 400, 'invalid_message'],
        ['text over 1000 chars', { clientMsgId: 'b2', author: 'ana', text: 'x'.repeat(1001) }, 400, 'invalid_message'],
        ['author over 32 chars', { clientMsgId: 'b3', author: 'a'.repeat(33), text: 'hi' }, 400, 'invalid_message'],
        ['missing author', { clientMsgId: 'b4', text: 'hi' }, 400, 'invalid_message'],
        ['missing clientMsgId', { author: 'ana', text: 'hi' }, 400, 'invalid_message'],
        ['a number for text', { clientMsgId: 'b5', author: 'ana', text: 42 }, 400, 'invalid_message'],
        ['an extra field', { clientMsgId: 'b6', author: 'ana', text: 'hi', via: 'websocket' }, 400, 'invalid_message'],
        ['a clientMsgId with spaces', { clientMsgId: 'a b', author: 'ana', text: 'hi' }, 400, 'invalid_message'],
        ['an array', [{ clientMsgId: 'b7', author: 'ana', text: 'hi' }], 400, 'invalid_message'],
        ['not JSON', '{"clientMsgId":', 400, 'invalid_json'],
        ['a body over 16 KiB', { clientMsgId: 'b8', author: 'ana', text: 'x'.repeat(17_000) }, 413, 'payload_too_large'],
      ];
      for (const [what, body, status, code] of bad) {
        it(`refuses ${what} with ${status} ${code}`, async () => {
          const response = await post(via, body);
          assert.equal(response.statusCode, status);
          const { error } = response.json<ErrorReply>();
          assert.equal(error.code, code);
          assert.equal(typeof error.message, 'string');
        });
      }

      it('refuses a body that is not JSON by content type with 415', async () => {
        const response = await post(via, 'hello', { 'content-type': 'text/plain' });
        assert.equal(response.statusCode, 415);
        assert.equal(response.json<ErrorReply>().error.code, 'unsupported_media_type');
      });

      for (const query of ['since=-1', 'since=abc', 'since=1.5', 'since=1e3', 'since=99999999999999999999', 'since=']) {
        it(`refuses ${query} with 400 invalid_query`, async () => {
          const response = await app.inject(`/api/${via}/messages?${query}`);
          assert.equal(response.statusCode, 400);
          assert.equal(response.json<ErrorReply>().error.code, 'invalid_query');
        });
      }

      // (An event stream's reset is in test/sse.test.ts: inject() would wait for its end.)
      if (kind === 'poll') {
        it('answers a far-future cursor with reset and the history', async () => {
          const response = await app.inject(`/api/${via}/messages?since=999999&wait=0`);
          assert.equal(response.statusCode, 200);
          const body = response.json<Catchup>();
          assert.equal(body.reset, true);
          assert.ok(body.messages.length > 0);
        });
      }
    });
  }

  it('refuses wait above the maximum', async () => {
    const response = await app.inject('/api/long-polling/messages?since=0&wait=30001');
    assert.equal(response.statusCode, 400);
    assert.equal(response.json<ErrorReply>().error.code, 'invalid_query');
  });

  it('joins live when since is absent: no backlog, the current cursor', async () => {
    for (const { name: via } of TRANSPORTS.filter((transport) => transport.kind === 'poll')) {
      const body = (await app.inject(`/api/${via}/messages`)).json<Catchup>();
      assert.deepEqual(body.messages, []);
      assert.ok(body.cursor > 0);
      assert.equal(typeof body.epoch, 'string');
    }
  });

  it('answers unknown routes with 404 JSON', async () => {
    const response = await app.inject('/api/nope');
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<ErrorReply>().error.code, 'not_found');
  });
});
