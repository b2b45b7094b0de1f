// A receiver that was away gets exactly what it missed; an unusable cursor resets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Room } from '../src/chat/room.js';
import { connected, disconnectAll, input, makeClient, Recorder, startServer, TRANSPORTS, waitFor, type RunningServer } from './helpers.js';

for (const name of TRANSPORTS) {
  describe(`resume over ${name}`, () => {
    let server: RunningServer;
    let room: Room;
    before(async () => {
      room = new Room({ historyLimit: 5 });
      server = await startServer({ room });
    });
    after(async () => {
      disconnectAll();
      await server.close();
    });

    it('gets exactly the messages missed while away, in order, once', async () => {
      const sender = makeClient('websocket', server.baseUrl);
      const receiver = makeClient(name, server.baseUrl);
      await connected(sender);
      const recorder = await connected(receiver);
      await sender.send(input('before'));
      await recorder.waitForMessages(1);

      receiver.disconnect();
      const missed = [];
      for (let n = 0; n < 4; n++) missed.push((await sender.send(input(`missed ${n}`))).id);
      receiver.connect();
      await recorder.waitForSyncs(2);
      await recorder.waitForMessages(5);
      await sender.send(input('after'));
      await recorder.waitForMessages(6);

      assert.deepEqual(recorder.ids().slice(1, 5), missed);
      assert.equal(recorder.ids().length, 6);
      assert.deepEqual(recorder.syncs[1], { epoch: room.epoch, cursor: missed.at(-1), reset: false, caughtUp: 4 });
      assert.deepEqual(recorder.resets, [], 'joining live and resuming are not resets');
      sender.disconnect();
      receiver.disconnect();
    });

    it("resets with the retained history when its epoch is not the server's", async () => {
      const receiver = makeClient(name, server.baseUrl, { since: 2, epoch: 'an-older-server' });
      const recorder = new Recorder(receiver);
      receiver.connect();
      await recorder.waitForSyncs(1);
      assert.deepEqual(recorder.resets, [room.epoch]);
      assert.equal(recorder.syncs[0]!.reset, true);
      assert.deepEqual(
        recorder.ids(),
        room.since(0).messages.map((m) => m.id),
      );
      receiver.disconnect();
    });

    it('skips what it has when its cursor fell out of the history', async () => {
      const sender = makeClient('short-polling', server.baseUrl);
      const receiver = makeClient(name, server.baseUrl, { since: 0, epoch: room.epoch });
      await connected(sender);
      const recorder = await connected(receiver);
      const start = recorder.ids().length;
      receiver.disconnect();
      for (let n = 0; n < 8; n++) await sender.send(input(`flood ${n}`)); // more than historyLimit (5)
      receiver.connect();
      await recorder.waitForSyncs(2);
      await waitFor(() => receiver.cursor === room.cursor, 3000, 'catch-up');
      const newIds = recorder.ids().slice(start);
      assert.equal(recorder.syncs[1]!.reset, true);
      assert.deepEqual(
        newIds,
        room.since(0).messages.map((m) => m.id),
      ); // the last 5, no repeats
      sender.disconnect();
      receiver.disconnect();
    });
  });
}
