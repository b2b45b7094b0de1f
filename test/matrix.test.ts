// Every sender transport to every receiver transport: N×N pairs for the N transports of the descriptor list.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientTransport } from '../src/client/transport.js';
import {
  connectEvery,
  disconnectAll,
  input,
  isStrictlyIncreasing,
  startServer,
  TRANSPORTS,
  type Recorder,
  type RunningServer,
} from './helpers.js';

describe(`all ${TRANSPORTS.length}×${TRANSPORTS.length} sender/receiver pairs`, () => {
  let server: RunningServer;
  let clients: ClientTransport[] = [];
  let receivers: Recorder[] = [];

  before(async () => {
    server = await startServer();
    receivers = await connectEvery(server.baseUrl);
    clients = receivers.map((recorder) => recorder.client);
  });
  after(async () => {
    disconnectAll();
    await server.close();
  });

  it('delivers each message exactly once, in id order, with the sender transport as via', async () => {
    const perSender = 3;
    const sent = new Map<string, string>(); // clientMsgId -> sender transport
    // Each pane sends through its own transport, interleaved.
    for (let round = 0; round < perSender; round++) {
      await Promise.all(
        clients.map(async (client) => {
          const message = input(`${client.name} #${round}`);
          sent.set(message.clientMsgId, client.name);
          const receipt = await client.send(message);
          assert.ok(Number.isInteger(receipt.id) && receipt.id > 0);
        }),
      );
    }
    const total = TRANSPORTS.length * perSender;
    for (const recorder of receivers) {
      const name = recorder.client.name;
      await recorder.waitForMessages(total);
      await new Promise((resolve) => setTimeout(resolve, 150)); // room for a stray duplicate to show
      const ids = recorder.ids();
      assert.equal(ids.length, total, `${name} received ${ids.length} of ${total}`);
      assert.ok(isStrictlyIncreasing(ids), `${name} got ids out of order: ${ids.join(',')}`);
      for (const message of recorder.messages) {
        assert.equal(message.via, sent.get(message.clientMsgId), `${name}: wrong via on ${message.text}`);
      }
      for (const sender of TRANSPORTS) {
        const fromSender = recorder.messages.filter((message) => message.via === sender).length;
        assert.equal(fromSender, perSender, `${sender} -> ${name}`);
      }
    }
  });
});
