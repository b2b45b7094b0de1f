// The WebSocket wire contract as an outside client sees it: raw `ws`, no helpers.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startServer, wsText, type RunningServer } from './helpers.js';

interface Frame {
  type: string;
  [key: string]: unknown;
}

/** A raw socket plus a queue of the frames it received. */
async function openSocket(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(wsText(data)) as Frame);
    waiters.splice(0).forEach((wake) => wake());
  });
  await once(ws, 'open');
  const next = async (type: string): Promise<Frame> => {
    for (;;) {
      const index = frames.findIndex((frame) => frame.type === type);
      if (index >= 0) return frames.splice(index, 1)[0]!;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, frames, next };
}

/** The HTTP status an upgrade is refused with. */
async function refusedWith(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {});
  const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
  ws.terminate();
  return response.statusCode;
}

describe('WebSocket /ws', () => {
  let server: RunningServer;
  let wsUrl: string;
  before(async () => {
    server = await startServer({ allowedOrigins: ['http://trusted.example'] });
    wsUrl = `ws://127.0.0.1:${server.port}/ws`;
  });
  after(() => server.close());

  it('welcomes with epoch and cursor, acks a send, and broadcasts it to everyone', async () => {
    const alice = await openSocket(wsUrl);
    const bob = await openSocket(wsUrl);
    const welcome = await alice.next('welcome');
    assert.equal(typeof welcome.epoch, 'string');
    assert.equal(typeof welcome.cursor, 'number');
    await bob.next('welcome');

    alice.ws.send(JSON.stringify({ type: 'send', clientMsgId: 'ws-1', author: 'alice', text: 'hi' }));
    const ack = await alice.next('ack');
    assert.equal(ack.clientMsgId, 'ws-1');
    assert.equal(typeof ack.id, 'number');
    for (const peer of [alice, bob]) {
      const { message } = (await peer.next('message')) as Frame & { message: { id: number; via: string; text: string } };
      assert.equal(message.id, ack.id);
      assert.equal(message.via, 'websocket');
      assert.equal(message.text, 'hi');
    }
    alice.ws.close();
    bob.ws.close();
  });

  it('replays after ?since=N, then goes live', async () => {
    const sender = await openSocket(wsUrl);
    const { cursor } = (await sender.next('welcome')) as Frame & { cursor: number };
    for (const n of [1, 2]) sender.ws.send(JSON.stringify({ type: 'send', clientMsgId: `replay-${n}`, author: 'a', text: `r${n}` }));
    await sender.next('ack');
    await sender.next('ack');
    const late = await openSocket(`${wsUrl}?since=${cursor}`);
    await late.next('welcome');
    const texts = [(await late.next('message')).message, (await late.next('message')).message].map((m) => (m as { text: string }).text);
    assert.deepEqual(texts, ['r1', 'r2']);
    sender.ws.close();
    late.ws.close();
  });

  const badFrames: Array<[string, string, string]> = [
    ['non-JSON', 'hello', 'invalid_json'],
    ['an array', '[1,2]', 'invalid_frame'],
    ['an unknown type', '{"type":"shout","clientMsgId":"x1"}', 'unknown_type'],
    ['empty text', '{"type":"send","clientMsgId":"x2","author":"a","text":" "}', 'invalid_message'],
    ['text over 1000 chars', JSON.stringify({ type: 'send', clientMsgId: 'x3', author: 'a', text: 'y'.repeat(1001) }), 'invalid_message'],
    ['a missing author', '{"type":"send","clientMsgId":"x4","text":"hi"}', 'invalid_message'],
    ['a __proto__ key', '{"type":"send","clientMsgId":"x5","author":"a","text":"hi","__proto__":{"admin":true}}', 'invalid_message'],
  ];
  for (const [what, frame, code] of badFrames) {
    it(`answers ${what} with an error frame (${code}) and stays open`, async () => {
      const client = await openSocket(wsUrl);
      await client.next('welcome');
      client.ws.send(frame);
      const error = await client.next('error');
      assert.equal(error.code, code);
      assert.equal(typeof error.message, 'string');
      assert.equal(client.ws.readyState, WebSocket.OPEN);
      client.ws.close();
    });
  }

  it('echoes the clientMsgId on a refused send', async () => {
    const client = await openSocket(wsUrl);
    client.ws.send('{"type":"send","clientMsgId":"x6","author":"a","text":""}');
    assert.equal((await client.next('error')).clientMsgId, 'x6');
    client.ws.close();
  });

  it('answers a binary frame with an error frame', async () => {
    const client = await openSocket(wsUrl);
    client.ws.send(Buffer.from([1, 2, 3]));
    assert.equal((await client.next('error')).code, 'invalid_frame');
    client.ws.close();
  });

  it('closes with 1009 on a frame over 16 KiB, and others are unaffected', async () => {
    const bystander = await openSocket(wsUrl);
    await bystander.next('welcome');
    const abuser = await openSocket(wsUrl);
    abuser.ws.send('x'.repeat(17 * 1024));
    const [code] = (await once(abuser.ws, 'close')) as [number];
    assert.equal(code, 1009);
    bystander.ws.send(JSON.stringify({ type: 'send', clientMsgId: 'after-abuse', author: 'b', text: 'still here' }));
    assert.equal((await bystander.next('ack')).clientMsgId, 'after-abuse');
    bystander.ws.close();
  });

  it('refuses a foreign Origin with 403, allows its own and configured ones', async () => {
    assert.equal(await refusedWith(wsUrl, { origin: 'http://evil.example' }), 403);
    for (const origin of [`http://127.0.0.1:${server.port}`, 'http://trusted.example']) {
      const client = await openSocket(wsUrl, { origin });
      await client.next('welcome');
      client.ws.close();
    }
  });

  it('refuses a bad since with 400 and an unknown path with 404', async () => {
    assert.equal(await refusedWith(`${wsUrl}?since=-4`), 400);
    assert.equal(await refusedWith(`${wsUrl}?since=abc`), 400);
    assert.equal(await refusedWith(`ws://127.0.0.1:${server.port}/nope`), 404);
    assert.equal(await refusedWith(`ws://127.0.0.1:${server.port}/wsx`), 404);
  });

  it('terminates a client that stops answering pings', async () => {
    const fast = await startServer({ pingIntervalMs: 100 });
    const ws = new WebSocket(`ws://127.0.0.1:${fast.port}/ws`, { autoPong: false });
    const [code] = (await once(ws, 'close')) as [number];
    assert.equal(code, 1006); // terminated, no close frame
    await fast.close();
  });
});
