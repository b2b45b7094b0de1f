// Unit tests of src/client/base.ts through a minimal real subclass: a
// transport over an in-memory pipe to a real Room (no network). It only moves
// messages, as the real transports do; the cursor, exactly-once delivery,
// sync/reset, reconnects and send retries are the base class's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RATE_LIMITED, type ChatError, type SendInput } from '../src/chat/message.js';
import { Room } from '../src/chat/room.js';
import { backoffMs, BaseClientTransport, byteLength, randomId, SendRefused, utf8ByteLength } from '../src/client/base.js';
import type { SendReceipt } from '../src/client/transport.js';
import { waitFor } from './helpers.js';

/** The server end of the pipe: a real room, plus the faults a test asks for. */
class PipeServer {
  room = new Room({ historyLimit: 50 });
  /** Refusals to give to the next sends, in order. */
  refusals: ChatError[] = [];
  opens = 0;
}

class PipeTransport extends BaseClientTransport {
  readonly name = 'websocket';
  #unsubscribe: (() => void) | undefined;

  constructor(
    readonly server: PipeServer,
    since?: number,
  ) {
    super({ baseUrl: 'pipe://', sendTimeoutMs: 100, ...(since !== undefined && { since }) });
  }

  /** The pipe breaks (as a network cut would). */
  cut(): void {
    this.connectionLost('pipe cut');
  }

  protected open(): void {
    this.server.opens++;
    const generation = this.generation;
    // Asynchronous like a real connection: the welcome and backlog arrive later, then live messages.
    queueMicrotask(() => {
      if (generation !== this.generation) return;
      this.setStatus('open');
      const { since, epoch } = this.resumeQuery();
      const catchup = this.server.room.since(since, epoch);
      this.beginCatchup(catchup, true);
      for (const message of catchup.messages) this.deliver(message);
      this.#unsubscribe = this.server.room.subscribe((message) => generation === this.generation && this.deliver(message));
    });
  }

  protected close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  protected transmit(input: SendInput): Promise<SendReceipt> {
    const refusal = this.server.refusals.shift();
    if (refusal) return Promise.reject(new SendRefused(refusal));
    return this.server.room.append(input, 'websocket').then(({ message }) => ({ id: message.id }));
  }
}

const input = (text: string): SendInput => ({ clientMsgId: randomId(), author: 'a', text });

describe('BaseClientTransport (through an in-memory pipe)', () => {
  it('joins live without a cursor, then delivers every new message once, in order', async () => {
    const server = new PipeServer();
    void server.room.append(input('before'), 'websocket');
    const client = new PipeTransport(server);
    const seen: number[] = [];
    client.on('message', (message) => seen.push(message.id));
    client.connect();
    await waitFor(() => client.status === 'open' && client.cursor === 1, 1000, 'joined live');
    for (let n = 0; n < 3; n++) await client.send(input(`m${n}`));
    assert.deepEqual(seen, [2, 3, 4]);
    assert.equal(client.traffic.messagesOut, 3);
    client.disconnect();
    assert.equal(client.status, 'off');
  });

  it('resumes from its cursor after a cut: the backlog once, nothing twice, and a sync per (re)connect', async () => {
    const server = new PipeServer();
    const client = new PipeTransport(server, 0);
    const seen: number[] = [];
    const syncs: number[] = [];
    client.on('message', (message) => seen.push(message.id));
    client.on('sync', (info) => syncs.push(info.caughtUp));
    client.connect();
    await waitFor(() => syncs.length === 1, 1000, 'first sync');
    void server.room.append(input('a'), 'websocket');
    client.cut();
    assert.equal(client.status, 'reconnecting');
    void server.room.append(input('b'), 'websocket');
    void server.room.append(input('c'), 'websocket');
    await waitFor(() => client.status === 'open' && syncs.length === 2, 5000, 'reconnected');
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(syncs, [0, 2], 'the second sync caught up the two missed messages');
    assert.equal(server.opens, 2);
    client.disconnect();
  });

  it('a new epoch (server restart) resets the view: reset event, cursor from 0', async () => {
    const server = new PipeServer();
    const client = new PipeTransport(server, 0);
    const resets: string[] = [];
    client.on('reset', (epoch) => resets.push(epoch));
    client.connect();
    await waitFor(() => client.epoch === server.room.epoch, 1000, 'first epoch');
    void server.room.append(input('old'), 'websocket');
    await waitFor(() => client.cursor === 1, 1000, 'old message');
    server.room = new Room({ historyLimit: 50 }); // "restarted"
    void server.room.append(input('new 1'), 'websocket');
    client.cut();
    await waitFor(() => resets.length === 1 && client.cursor === 1 && client.epoch === server.room.epoch, 5000, 'reset to the new room');
    client.disconnect();
  });

  it('send: a rate-limited attempt is retried (same clientMsgId, appended once); another refusal is thrown; off throws', async () => {
    const server = new PipeServer();
    const client = new PipeTransport(server);
    client.connect();
    await waitFor(() => client.status === 'open', 1000, 'open');
    server.refusals.push({ code: RATE_LIMITED, message: 'slow down' }, { code: RATE_LIMITED, message: 'slow down' });
    const sent = input('retried');
    const receipt = await client.send(sent);
    assert.equal(server.room.since(0).messages.filter((m) => m.clientMsgId === sent.clientMsgId).length, 1);
    assert.equal(receipt.id, server.room.cursor);
    server.refusals.push({ code: 'invalid_message', message: 'no' });
    await assert.rejects(
      client.send(input('refused')),
      (error: unknown) => error instanceof SendRefused && error.error.code === 'invalid_message',
    );
    client.disconnect();
    await assert.rejects(client.send(input('off')), /switched off/);
  });

  it('backoffMs: full jitter between half and all of the capped exponential', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const ceiling = Math.min(5000, 100 * 2 ** attempt);
      const delay = backoffMs(attempt);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `${attempt}: ${delay}`);
    }
  });

  it("byteLength (the page's loop, Node's Buffer): UTF-8 bytes as an encoder counts them, surrogate pairs and lone surrogates too", () => {
    const texts = [
      '',
      'plain ascii',
      'é ż',
      '€ ✓',
      '😀',
      'a😀b',
      '\ud800',
      'x\udc00',
      '\ud83d\ude00\ud83d',
      JSON.stringify({ text: 'ż😀é€' }),
    ];
    for (const text of texts) {
      const encoded = new TextEncoder().encode(text).length;
      assert.equal(utf8ByteLength(text), encoded, `the page's loop: ${JSON.stringify(text)}`);
      assert.equal(byteLength(text), encoded, `Node's: ${JSON.stringify(text)}`);
    }
  });
});
