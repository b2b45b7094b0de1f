// Poll answers share one body per room state: never a stale cursor, epoch or count.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Room } from '../src/chat/room.js';
import { randomId } from '../src/client/base.js';
import { LocalLabStore } from '../src/lab/lab-store.js';
import { Lab } from '../src/lab/lab.js';
import { firstBatch } from '../src/transports/http-common.js';
import { PollAnswers, serializePollReply } from '../src/transports/poll-answer.js';
import { postText, startServer, type RunningServer } from './helpers.js';

interface Answer {
  messages: Array<{ id: number; text: string }>;
  cursor: number;
  epoch: string;
  nodeId: string;
  reset?: true;
  more?: true;
}

const send = (room: Room, text: string) => room.append({ clientMsgId: randomId(), author: 'pa', text }, 'long-polling');

describe('poll answers (shared bodies)', () => {
  const lab = new Lab({ presenterToken: 'poll-answer-token', nodeId: 'n1', store: new LocalLabStore('n1') });
  after(() => lab.close());
  const parse = (body: Buffer): Answer => JSON.parse(body.toString()) as Answer;

  it('shares one Buffer between answers of the same state, and none across states', async () => {
    const room = new Room({ historyLimit: 10 });
    const answers = new PollAnswers('long-polling', 'n1', lab);
    await send(room, 'a');
    await send(room, 'b');
    const fromZero = answers.body(room.since(0));
    assert.equal(answers.body(room.since(0)), fromZero, 'the same state, the same Buffer');
    assert.deepEqual(parse(fromZero), { messages: parse(fromZero).messages, cursor: 2, epoch: room.epoch, nodeId: 'n1' });
    assert.deepEqual(
      parse(fromZero).messages.map((m) => m.text),
      ['a', 'b'],
    );
    // Another cursor at the same room state: its own count.
    assert.deepEqual(
      parse(answers.body(room.since(1))).messages.map((m) => m.text),
      ['b'],
    );
    assert.deepEqual(parse(answers.body(room.since(2))).messages, []);
    // The room moves on: the same `since` gets the new message and cursor, not the cached body.
    await send(room, 'c');
    const after = parse(answers.body(room.since(0)));
    assert.deepEqual(
      after.messages.map((m) => m.text),
      ['a', 'b', 'c'],
    );
    assert.equal(after.cursor, 3);
  });

  it('keeps reset, more and the epoch apart', async () => {
    const room = new Room({ historyLimit: 10 });
    const other = new Room({ historyLimit: 10 });
    const answers = new PollAnswers('short-polling', 'n1', lab);
    for (const text of ['a', 'b', 'c']) {
      await send(room, text);
      await send(other, text);
    }
    const reset = parse(answers.body(room.since(0, 'another-epoch')));
    assert.equal(reset.reset, true);
    assert.equal(parse(answers.body(room.since(0))).reset, undefined);
    const batch = parse(answers.body(firstBatch(room.since(0), 2)));
    assert.equal(batch.more, true);
    assert.deepEqual(
      batch.messages.map((m) => m.id),
      [1, 2],
    );
    assert.equal(parse(answers.body(room.since(0))).more, undefined);
    // Same cursor, another room: its own epoch.
    assert.equal(parse(answers.body(other.since(0))).epoch, other.epoch);
    assert.equal(parse(answers.body(room.since(0))).epoch, room.epoch);
  });

  it('writes the same bytes as JSON.stringify of the answer with its nodeId, flags and escapes included', async () => {
    const room = new Room({ historyLimit: 10 });
    for (const text of ['plain', 'quote " and \\ backslash', 'émoji 🎉 and \u2028']) await send(room, text);
    for (const answer of [room.since(0), room.since(3), room.since(0, 'another-epoch'), firstBatch(room.since(0, 'another-epoch'), 2)]) {
      assert.equal(serializePollReply(answer, 'node "1"'), JSON.stringify({ ...answer, nodeId: 'node "1"' }));
    }
  });
});

describe('poll answers on the wire', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const post = (url: string, text: string): Promise<void> => postText(url, text, 'pa');

  it('held polls at one cursor all get the message; an older cursor gets its own count', async () => {
    const url = `${server.baseUrl}/api/long-polling/messages`;
    const start = ((await (await fetch(url)).json()) as Answer).cursor;
    await post(url, 'first');
    const held = [1, 2, 3].map((n) =>
      fetch(`${url}?since=${start + 1}&wait=10000&client=held-${n}`).then(async (response) => {
        assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
        return (await response.json()) as Answer;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await post(url, 'second');
    for (const answer of await Promise.all(held)) {
      assert.deepEqual(
        answer.messages.map((m) => m.text),
        ['second'],
      );
      assert.equal(answer.cursor, start + 2);
      assert.equal(answer.nodeId, server.app.nodeId);
    }
    const older = (await (await fetch(`${url}?since=${start}`)).json()) as Answer;
    assert.deepEqual(
      older.messages.map((m) => m.text),
      ['first', 'second'],
    );
  });

  it('short polls count among the lab polls, empty ones apart', async () => {
    // The first short polls of this server: one empty, one with a message.
    const url = `${server.baseUrl}/api/short-polling/messages`;
    const { cursor } = (await (await fetch(url)).json()) as Answer;
    await post(url, 'counted');
    const answer = (await (await fetch(`${url}?since=${cursor}`)).json()) as Answer;
    assert.deepEqual(
      answer.messages.map((m) => m.text),
      ['counted'],
    );
    type Totals = { totals: { polls: number; emptyPolls: number } };
    const totals = async () =>
      ((await (await fetch(`${server.baseUrl}/api/stats`)).json()) as { transports: Record<'short-polling', Totals> }).transports[
        'short-polling'
      ].totals;
    const deadline = Date.now() + 5000;
    let counted = await totals();
    while (counted.polls < 2) {
      assert.ok(Date.now() < deadline, `stats never showed the polls: ${JSON.stringify(counted)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      counted = await totals();
    }
    assert.deepEqual(counted.polls, 2);
    assert.deepEqual(counted.emptyPolls, 1);
  });
});
