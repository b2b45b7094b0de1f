import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Room } from '../src/chat/room.js';

const send = (n: number) => ({ clientMsgId: `m${n}`, author: 'ana', text: `hello ${n}` });

describe('Room', () => {
  it('gives strictly increasing ids and tells subscribers before the append resolves', async () => {
    const room = new Room({ historyLimit: 10 });
    const heard: number[] = [];
    room.subscribe((message) => heard.push(message.id));
    const ids: number[] = [];
    for (const n of [1, 2, 3]) {
      const appending = room.append(send(n), 'websocket');
      assert.equal(heard.length, n, 'subscribers hear the message within the call');
      ids.push((await appending).message.id);
    }
    assert.deepEqual(ids, [1, 2, 3]);
    assert.deepEqual(heard, [1, 2, 3]);
    assert.equal(room.cursor, 3);
  });

  it('returns the original for a re-sent clientMsgId and appends nothing', async () => {
    const room = new Room({ historyLimit: 10 });
    const heard: number[] = [];
    room.subscribe((message) => heard.push(message.id));
    const first = await room.append(send(1), 'websocket');
    const again = await room.append({ ...send(1), text: 'changed' }, 'socketio');
    assert.equal(again.duplicate, true);
    assert.deepEqual(again.message, first.message);
    assert.deepEqual(heard, [1]);
    assert.equal(room.cursor, 1);
  });

  it('since() gives what follows a cursor, nothing when joining live', async () => {
    const room = new Room({ historyLimit: 10 });
    for (let n = 1; n <= 5; n++) await room.append(send(n), 'short-polling');
    assert.deepEqual(
      room.since(3).messages.map((m) => m.id),
      [4, 5],
    );
    assert.deepEqual(room.since(5).messages, []);
    assert.deepEqual(
      room.since(0).messages.map((m) => m.id),
      [1, 2, 3, 4, 5],
    );
    const live = room.since(undefined);
    assert.deepEqual(live.messages, []);
    assert.equal(live.cursor, 5);
    assert.equal(live.reset, undefined);
  });

  it('resets on a cursor older than the history, newer than the room, or from another epoch', async () => {
    const room = new Room({ historyLimit: 3 });
    for (let n = 1; n <= 10; n++) await room.append(send(n), 'long-polling');
    const old = room.since(2);
    assert.equal(old.reset, true);
    assert.deepEqual(
      old.messages.map((m) => m.id),
      [8, 9, 10],
    );
    assert.deepEqual(
      room.since(7).messages.map((m) => m.id),
      [8, 9, 10],
    );
    assert.equal(room.since(7).reset, undefined);
    assert.equal(room.since(11).reset, true);
    assert.equal(room.since(9, 'another-epoch').reset, true);
    assert.equal(room.since(9, room.epoch).reset, undefined);
  });

  it('keeps at most historyLimit messages however many are appended', async () => {
    const room = new Room({ historyLimit: 100 });
    for (let n = 1; n <= 1000; n++) await room.append(send(n), 'websocket');
    const all = room.since(0);
    assert.equal(all.messages.length, 100);
    assert.equal(all.messages[0]!.id, 901);
  });

  it('forgets the oldest clientMsgIds beyond the dedupe limit', async () => {
    const room = new Room({ historyLimit: 2, dedupeLimit: 3 });
    for (let n = 1; n <= 4; n++) await room.append(send(n), 'websocket');
    assert.equal((await room.append(send(4), 'websocket')).duplicate, true);
    assert.equal((await room.append(send(1), 'websocket')).duplicate, false);
  });
});
