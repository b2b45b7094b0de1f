// The Redis room against a real redis-server: shared ids, bounded history,
// dedupe across nodes, gap-free catch-up while appends race, and one new
// epoch when the dataset is lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { Message } from '../src/chat/message.js';
import { UNAVAILABLE } from '../src/chat/message.js';
import { RedisRoom, type RedisRoomOptions } from '../src/chat/redis-room.js';
import { RoomUnavailableError } from '../src/chat/room.js';
import { waitFor } from './helpers.js';
import { RedisServer } from './redis-server.js';

const send = (n: number, tag = 'm') => ({ clientMsgId: `${tag}${n}`, author: 'ana', text: `hello ${n}` });

describe('RedisRoom', () => {
  let redis: RedisServer;
  let admin: ReturnType<typeof createClient>;
  const rooms: RedisRoom[] = [];
  let prefixes = 0;

  /** Rooms of one test share a fresh prefix: several nodes of one cluster. */
  const cluster = async (count: number, options: Partial<RedisRoomOptions> = {}): Promise<RedisRoom[]> => {
    const prefix = options.prefix ?? `test${++prefixes}:`;
    const made = await Promise.all(
      Array.from({ length: count }, () => RedisRoom.connect({ url: redis.url, historyLimit: 100, ...options, prefix })),
    );
    rooms.push(...made);
    return made;
  };

  before(async () => {
    redis = await RedisServer.start();
    admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    await admin.connect();
  });
  after(async () => {
    await Promise.all(rooms.map((room) => room.close()));
    admin.destroy();
    await redis.stop();
  });

  it('gives one id sequence to appends on two nodes, and both nodes hear every message in order', async () => {
    const [a, b] = await cluster(2);
    const heardA: number[] = [];
    const heardB: number[] = [];
    a!.subscribe((message) => heardA.push(message.id));
    b!.subscribe((message) => heardB.push(message.id));
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => (n % 2 ? a! : b!).append(send(n), 'websocket')));
    assert.deepEqual(
      results.map((result) => result.message.id).sort((x, y) => x - y),
      [1, 2, 3, 4, 5, 6],
    );
    await waitFor(() => heardA.length === 6 && heardB.length === 6, 5000, 'both nodes to hear 6 messages');
    assert.deepEqual(heardA, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(heardB, [1, 2, 3, 4, 5, 6]);
    assert.equal(a!.epoch, b!.epoch);
    // An append resolves once its own node's mirror has it: read-your-writes.
    const { message } = await b!.append(send(7), 'websocket');
    assert.equal(b!.since(6).messages[0]?.clientMsgId, message.clientMsgId);
  });

  it('keeps the epoch and history of the dataset for a node that joins later', async () => {
    const [a] = await cluster(1, { prefix: 'late:' });
    for (let n = 1; n <= 3; n++) await a!.append(send(n), 'short-polling');
    const [late] = await cluster(1, { prefix: 'late:' });
    assert.equal(late!.epoch, a!.epoch);
    assert.equal(late!.cursor, 3);
    assert.deepEqual(
      late!.since(1).messages.map((m) => m.text),
      ['hello 2', 'hello 3'],
    );
  });

  it('keeps two prefixes apart', async () => {
    const [one] = await cluster(1, { prefix: 'one:' });
    const [two] = await cluster(1, { prefix: 'two:' });
    await one!.append(send(1), 'websocket');
    assert.equal((await two!.append(send(1), 'websocket')).duplicate, false);
    assert.notEqual(one!.epoch, two!.epoch);
  });

  it('bounds the history in the stream (MAXLEN) and resets a cursor older than it', async () => {
    const [a] = await cluster(1, { historyLimit: 5, prefix: 'bounded:' });
    for (let n = 1; n <= 12; n++) await a!.append(send(n), 'long-polling');
    assert.equal(await admin.xLen('bounded:messages'), 5);
    const old = a!.since(3);
    assert.equal(old.reset, true);
    assert.deepEqual(
      old.messages.map((m) => m.id),
      [8, 9, 10, 11, 12],
    );
    assert.deepEqual(
      a!.since(9).messages.map((m) => m.id),
      [10, 11, 12],
    );
  });

  it('returns the original to a re-send on another node, and forgets the oldest ids beyond the dedupe bound', async () => {
    const [a, b] = await cluster(2, { historyLimit: 2, dedupeLimit: 3, prefix: 'dedupe:' });
    const heard: Message[] = [];
    b!.subscribe((message) => heard.push(message));
    const first = await a!.append(send(1), 'websocket');
    const again = await b!.append({ ...send(1), text: 'changed' }, 'socketio');
    assert.equal(again.duplicate, true);
    assert.deepEqual(again.message, first.message);
    for (let n = 2; n <= 4; n++) await a!.append(send(n), 'websocket');
    assert.equal(await admin.hLen('dedupe:dedupe'), 3);
    assert.equal(await admin.lLen('dedupe:dedupe-order'), 3);
    // m1 fell out of the bounded memory: a re-send now is a new message (as in the in-memory room).
    assert.equal((await b!.append(send(1), 'websocket')).message.id, 5);
    await waitFor(() => heard.length === 5, 5000, 'node b to hear 5 messages');
    assert.deepEqual(
      heard.map((m) => m.id),
      [1, 2, 3, 4, 5],
    );
  });

  it('lets a client hop between nodes while appends race, with no gap, no duplicate and no reset', async () => {
    const [a, b, c] = await cluster(3, { prefix: 'race:', historyLimit: 1000 });
    const total = 300;
    const appending = Promise.all(
      Array.from({ length: total }, async (_, n) => {
        await new Promise((resolve) => setTimeout(resolve, n % 50));
        return [a!, b!][n % 2]!.append(send(n, 'race'), 'websocket');
      }),
    );
    const got: number[] = [];
    let cursor = 0;
    let resets = 0;
    const epoch = a!.epoch;
    for (let hop = 0; cursor < total; hop++) {
      assert.ok(hop < 20_000, `client stuck at ${cursor}`);
      const node = [a!, b!, c!][hop % 3]!;
      await node.settleCursor(cursor, epoch);
      const reply = node.since(cursor, epoch);
      if (reply.reset) resets++;
      for (const message of reply.messages) got.push(message.id);
      cursor = Math.max(cursor, ...reply.messages.map((m) => m.id), reply.cursor);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await appending;
    assert.equal(resets, 0);
    assert.deepEqual(
      got,
      Array.from({ length: total }, (_, n) => n + 1),
    );
  });

  it('checks a cursor ahead of its mirror with Redis, and resets one beyond the cluster', async () => {
    const [a, b] = await cluster(2, { prefix: 'ahead:' });
    await a!.append(send(1), 'websocket');
    await waitFor(() => b!.cursor === 1, 5000, 'node b to have message 1');
    assert.equal(b!.settleCursor(1, a!.epoch), undefined, 'a cursor the mirror can answer needs no wait');
    const settling = b!.settleCursor(50, a!.epoch);
    assert.ok(settling, 'a cursor ahead of the mirror is checked with Redis');
    await settling;
    assert.equal(b!.since(50, a!.epoch).reset, true);
  });

  it('starts a new epoch once when the dataset is flushed, and every node adopts it', async () => {
    const [a, b] = await cluster(2, { prefix: 'flush:' });
    for (let n = 1; n <= 3; n++) await a!.append(send(n), 'websocket');
    const oldEpoch = a!.epoch;
    const changes: string[] = [];
    a!.onEpochChange((epoch) => changes.push(`a ${epoch}`));
    b!.onEpochChange((epoch) => changes.push(`b ${epoch}`));
    await admin.flushAll();
    // Node a learns from its next append; node b, which only reads, from its idle check.
    const { message } = await a!.append(send(1, 'after'), 'websocket');
    assert.equal(message.id, 1);
    await waitFor(() => b!.epoch !== oldEpoch && b!.cursor === 1, 10_000, 'node b to adopt the new epoch');
    assert.equal(a!.epoch, b!.epoch);
    assert.deepEqual(changes.sort(), [`a ${a!.epoch}`, `b ${a!.epoch}`]);
    const stale = b!.since(3, oldEpoch);
    assert.equal(stale.reset, true);
    assert.deepEqual(
      stale.messages.map((m) => m.clientMsgId),
      ['after1'],
    );
  });

  it('refuses sends retryably while Redis is down, keeps serving its mirror, and resumes under a new epoch when Redis is back empty', async () => {
    const [a, b] = await cluster(2, { prefix: 'restart:' });
    for (let n = 1; n <= 2; n++) await a!.append(send(n), 'websocket');
    await waitFor(() => b!.cursor === 2, 5000, 'node b to have both messages');
    const oldEpoch = a!.epoch;
    let changes = 0;
    b!.onEpochChange(() => changes++);

    await redis.stop();
    await waitFor(() => !a!.available, 5000, 'node a to see Redis down');
    await assert.rejects(a!.append(send(3), 'websocket'), (error: unknown) => {
      assert.ok(error instanceof RoomUnavailableError);
      assert.equal(error.error.code, UNAVAILABLE);
      return true;
    });
    assert.deepEqual(
      b!.since(0).messages.map((m) => m.id),
      [1, 2],
    );

    await redis.restart();
    await waitFor(() => a!.available && b!.available, 15_000, 'both nodes to reconnect');
    await waitFor(() => a!.epoch !== oldEpoch && b!.epoch !== oldEpoch, 10_000, 'both nodes to adopt the new epoch');
    assert.equal(a!.epoch, b!.epoch);
    assert.equal(changes, 1);
    assert.equal((await b!.append(send(3), 'websocket')).message.id, 1);
    // The admin connection reconnects by itself; the room's keys are new.
    await waitFor(() => admin.isReady, 10_000, 'the admin client to reconnect');
  });
});
