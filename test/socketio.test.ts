// The Socket.IO contract as an outside client sees it: plain socket.io-client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import type { SendAck } from '../src/transports/socketio.js';
import { startServer, waitFor, type RunningServer } from './helpers.js';

/** The first payload of the next `event` on a socket.io-client Socket (not a Node EventEmitter). */
function once(socket: Socket, event: string): Promise<[unknown]> {
  return new Promise((resolve) => socket.once(event, (payload: unknown) => resolve([payload])));
}

/** Emits `event` with `payload` and resolves with the server's ack. */
function emitWithAck(socket: Socket, event: string, payload: unknown): Promise<SendAck> {
  return socket.emitWithAck(event, payload) as Promise<SendAck>;
}

describe('Socket.IO /socket.io/', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];
  const connect = (options: Parameters<typeof io>[1] = {}): Socket => {
    const socket = io(server.baseUrl, { forceNew: true, reconnection: false, ...options });
    sockets.push(socket);
    return socket;
  };
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    sockets.forEach((socket) => socket.disconnect());
    await server.close();
  });

  it('welcomes, acks a send with the message, broadcasts it, and upgrades to websocket', async () => {
    const alice = connect();
    const bob = connect();
    const [welcome] = (await once(alice, 'welcome')) as [{ epoch: string; cursor: number }];
    assert.equal(typeof welcome.epoch, 'string');
    await once(bob, 'welcome');
    const bobGets = once(bob, 'message');
    const ack = await emitWithAck(alice, 'send', { clientMsgId: 'sio-1', author: 'alice', text: 'hi' });
    assert.equal(ack.ok, true);
    assert.equal(ack.message.via, 'socketio');
    const [message] = (await bobGets) as [{ id: number }];
    assert.equal(message.id, ack.message.id);
    await waitFor(() => alice.io.engine.transport.name === 'websocket', 5000, 'upgrade to websocket');
  });

  it('works over polling only, as behind a proxy that blocks WebSocket', async () => {
    const socket = connect({ transports: ['polling'] });
    await once(socket, 'welcome');
    const ack = await emitWithAck(socket, 'send', { clientMsgId: 'sio-poll', author: 'p', text: 'over polling' });
    assert.equal(ack.ok, true);
    assert.equal(socket.io.engine.transport.name, 'polling');
  });

  it('replays from auth.since, and a re-sent clientMsgId is not appended again', async () => {
    const sender = connect();
    const [{ cursor }] = (await once(sender, 'welcome')) as [{ cursor: number }];
    const first = await emitWithAck(sender, 'send', { clientMsgId: 'sio-dup', author: 's', text: 'once' });
    const again = await emitWithAck(sender, 'send', { clientMsgId: 'sio-dup', author: 's', text: 'once' });
    assert.equal(first.ok, true);
    assert.equal(again.ok, true);
    assert.deepEqual(again.message, first.message);
    const late = connect({ auth: { since: cursor } });
    const received: number[] = [];
    late.on('message', (message: { id: number }) => received.push(message.id));
    await once(late, 'welcome');
    await waitFor(() => received.length >= 1, 2000, 'replay');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(received, [first.message.id]);
  });

  const bad: Array<[string, unknown, string]> = [
    ['empty text', { clientMsgId: 'sb1', author: 'a', text: '' }, 'invalid_message'],
    ['text over 1000 chars', { clientMsgId: 'sb2', author: 'a', text: 'z'.repeat(1001) }, 'invalid_message'],
    ['a string instead of an object', 'hello', 'invalid_message'],
    ['missing fields', {}, 'invalid_message'],
  ];
  for (const [what, payload, code] of bad) {
    it(`acks ${what} with ok:false (${code})`, async () => {
      const socket = connect();
      await once(socket, 'welcome');
      const ack = await emitWithAck(socket, 'send', payload);
      assert.equal(ack.ok, false);
      assert.equal(ack.error.code, code);
      assert.ok(socket.connected);
    });
  }

  it('acks an unknown event with ok:false unknown_event', async () => {
    const socket = connect();
    await once(socket, 'welcome');
    const ack = await emitWithAck(socket, 'delete-everything', {});
    assert.equal(ack.ok, false);
    assert.deepEqual(ack.error.code, 'unknown_event');
  });

  it('refuses a bad auth.since at the handshake', async () => {
    const socket = connect({ auth: { since: -1 } });
    const [error] = (await once(socket, 'connect_error')) as [Error & { data?: { code: string } }];
    assert.equal(error.data?.code, 'invalid_query');
  });

  it('refuses a foreign Origin at the handshake', async () => {
    const socket = connect({ transports: ['polling'], extraHeaders: { origin: 'http://evil.example' } });
    const [error] = (await once(socket, 'connect_error')) as [Error];
    assert.match(error.message, /xhr poll error|forbidden|not allowed/i);
    assert.equal(socket.connected, false);
  });
});
