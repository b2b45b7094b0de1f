// Several nodes sharing one room through a real redis-server: every transport
// pair across nodes, idempotent re-sends across nodes, Redis going away and
// coming back empty, and a node SIGKILLed behind HAProxy while clients chat.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TransportName } from '../src/chat/transports.js';
import type { ClientTransport, TransportStatus } from '../src/client/transport.js';
import { startHaproxy } from '../src/cluster/haproxy.js';
import {
  connected,
  disconnectAll,
  input,
  isStrictlyIncreasing,
  makeClient,
  Recorder,
  startServer,
  TRANSPORTS,
  waitFor,
  type RunningServer,
} from './helpers.js';
import { NodeProcess } from './node-process.js';
import { freePort, RedisServer } from './redis-server.js';

const range = (count: number): number[] => Array.from({ length: count }, (_, n) => n + 1);

describe('nodes sharing one room through Redis', () => {
  let redis: RedisServer;
  let nodes: RunningServer[];

  before(async () => {
    redis = await RedisServer.start();
    const node = (nodeId: string) => startServer({ redisUrl: redis.url, redisPrefix: 'cluster:', nodeId, rateLimit: false });
    nodes = [await node('n1'), await node('n2')];
  });
  after(async () => {
    disconnectAll();
    await Promise.all(nodes.map((node) => node.close()));
    await redis.stop();
  });

  it('delivers what any transport sends on one node to every transport on the other, in one id order', async () => {
    for (const [from, to] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const receivers = await Promise.all(TRANSPORTS.map((name) => connected(makeClient(name, nodes[to]!.baseUrl))));
      const senders = TRANSPORTS.map((name) => makeClient(name, nodes[from]!.baseUrl));
      for (const sender of senders) sender.connect();
      const ids: number[] = [];
      for (const sender of senders) ids.push((await sender.send(input(`${sender.name} on ${nodes[from]!.app.nodeId}`))).id);
      for (const receiver of receivers) {
        await receiver.waitForMessages(TRANSPORTS.length, 10_000);
        assert.deepEqual(receiver.ids(), ids, `${receiver.client.name} on ${nodes[to]!.app.nodeId}`);
        assert.deepEqual(
          receiver.messages.map((message) => message.via),
          TRANSPORTS,
        );
        assert.equal(receiver.client.nodeId, nodes[to]!.app.nodeId, 'the welcome or poll reply names the node');
      }
      for (const client of [...senders, ...receivers.map((receiver) => receiver.client)]) client.disconnect();
    }
  });

  it('gives every node one presenter token', () => {
    assert.equal(nodes[0]!.app.lab.presenterToken, nodes[1]!.app.lab.presenterToken);
  });

  it('returns the original message to a re-send on another node, over any transport', async () => {
    const once = input('only once');
    const post = async (node: RunningServer, via: TransportName) => {
      const response = await fetch(`${node.baseUrl}/api/${via}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(once),
      });
      assert.equal(response.status, 201);
      return ((await response.json()) as { message: { id: number } }).message;
    };
    const original = await post(nodes[0]!, 'short-polling');
    assert.deepEqual(await post(nodes[1]!, 'long-polling'), original);
    for (const name of ['websocket', 'socketio'] as const) {
      const client = makeClient(name, nodes[1]!.baseUrl);
      client.connect();
      assert.equal((await client.send({ ...once, text: 'changed' })).id, original.id, name);
      client.disconnect();
    }
    const log = (await (await fetch(`${nodes[1]!.baseUrl}/api/short-polling/messages?since=0`)).json()) as {
      messages: Array<{ clientMsgId: string }>;
    };
    assert.equal(log.messages.filter((message) => message.clientMsgId === once.clientMsgId).length, 1);
  });

  it('while Redis is down: health 503, sends refused retryably, receivers stay connected; back empty: exactly one reset each', async () => {
    const receivers: Recorder[] = [];
    for (const node of nodes) for (const name of TRANSPORTS) receivers.push(await connected(makeClient(name, node.baseUrl, { since: 0 })));
    const lost: string[] = [];
    for (const receiver of receivers) {
      receiver.client.on('status', (status: TransportStatus) => status === 'reconnecting' && lost.push(receiver.client.name));
    }

    await redis.stop();
    for (const node of nodes) {
      let health = await fetch(`${node.baseUrl}/api/health`);
      for (let tries = 0; tries < 100 && health.status !== 503; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        health = await fetch(`${node.baseUrl}/api/health`);
      }
      assert.equal(health.status, 503, `${node.app.nodeId} reports Redis down`);
      assert.deepEqual(await health.json(), { ok: false, redis: 'down' });
    }
    const refused = await fetch(`${nodes[0]!.baseUrl}/api/short-polling/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input('refused')),
    });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'unavailable');
    // A WebSocket send is refused with an error frame and retried by the client until Redis is back.
    const sender = makeClient('websocket', nodes[1]!.baseUrl);
    sender.connect();
    const whileDown = input('sent while Redis was down');
    const sending = sender.send(whileDown);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(lost, [], 'receivers keep their connections while Redis is down');

    await redis.restart();
    const receipt = await sending;
    assert.equal(receipt.id, 1, 'the new dataset starts a new id sequence');
    await waitFor(
      () => receivers.every((receiver) => receiver.messages.some((message) => message.clientMsgId === whileDown.clientMsgId)),
      20_000,
      'every receiver to get the message sent while Redis was down',
    );
    // Give any second reset the time to show up.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    for (const receiver of receivers) {
      assert.equal(receiver.resets.length, 1, `${receiver.client.name} on ${receiver.client.nodeId}: ${receiver.resets.length} resets`);
    }
    for (const node of nodes) assert.equal((await fetch(`${node.baseUrl}/api/health`)).status, 200);
    sender.disconnect();
    for (const receiver of receivers) receiver.client.disconnect();
  });
});

describe('a node SIGKILLed behind HAProxy while its clients chat', () => {
  it('loses, doubles and reorders nothing for clients that fail over', async () => {
    const redis = await RedisServer.start();
    const args = ['--redis', redis.url, '--redis-prefix', 'kill:', '--rate-limit', 'off'];
    const processes = [await NodeProcess.start('k1', args), await NodeProcess.start('k2', args)];
    const proxy = await startHaproxy({
      host: '127.0.0.1',
      port: await freePort(),
      nodes: processes.map((node) => ({ id: node.nodeId, host: '127.0.0.1', port: node.port })),
    });
    try {
      // Something to catch up on, so a first long poll is answered at once.
      const first = await fetch(`${proxy.url}/api/short-polling/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input('first')),
      });
      assert.equal(first.status, 201);
      const receivers: Recorder[] = [];
      for (const name of TRANSPORTS) for (let n = 0; n < 2; n++) receivers.push(await connected(makeClient(name, proxy.url, { since: 0 })));
      const onFirstNode = receivers.filter((receiver) => receiver.client.nodeId === 'k1').map((receiver) => receiver.client);
      const senders: ClientTransport[] = TRANSPORTS.map((name) => makeClient(name, proxy.url));
      for (const sender of senders) sender.connect();

      const rounds = 30;
      for (let round = 0; round < rounds; round++) {
        if (round === 10) await processes[0]!.kill();
        await Promise.all(senders.map((sender) => sender.send(input(`${sender.name} ${round}`))));
      }
      const total = 1 + rounds * senders.length;
      await waitFor(() => receivers.every((receiver) => receiver.client.cursor === total), 30_000, `every receiver at ${total}`);
      for (const receiver of receivers) {
        const ids = receiver.ids();
        assert.ok(isStrictlyIncreasing(ids), `${receiver.client.name}: reordered or doubled`);
        assert.deepEqual(ids, range(total), `${receiver.client.name}: lost`);
        assert.equal(receiver.resets.length, 0);
        assert.equal(receiver.client.nodeId, 'k2');
      }
      assert.ok(onFirstNode.length > 0, 'some clients were on the node that died');
      const log = (await (await fetch(`${proxy.url}/api/short-polling/messages?since=0`)).json()) as {
        messages: Array<{ clientMsgId: string }>;
      };
      assert.equal(new Set(log.messages.map((message) => message.clientMsgId)).size, total, 'each send stored once');
    } finally {
      disconnectAll();
      await proxy.stop();
      await Promise.all(processes.map((node) => node.kill()));
      await redis.stop();
    }
  });
});
