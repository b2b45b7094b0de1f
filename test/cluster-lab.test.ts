// One cluster, one set of rules: two nodes on one real redis-server share the
// lab's settings and drops, and the send rate limits hold across them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { TransportName } from '../src/chat/transports.js';
import type { TransportStatus } from '../src/client/transport.js';
import type { StatsView } from '../src/lab/lab.js';
import type { LabSettings, LabUpdate } from '../src/lab/settings.js';
import type { BuildOptions } from '../src/server.js';
import { connected, disconnectAll, input, makeClient, startServer, waitFor, type RunningServer } from './helpers.js';
import { RedisServer } from './redis-server.js';

const TOKEN = 'cluster-lab-token';
const presenter = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function setLab(node: RunningServer, update: LabUpdate): Promise<LabSettings> {
  const response = await fetch(`${node.baseUrl}/api/lab`, { method: 'PUT', headers: presenter, body: JSON.stringify(update) });
  assert.equal(response.status, 200);
  return (await response.json()) as LabSettings;
}

async function labOf(node: RunningServer): Promise<LabSettings> {
  return (await (await fetch(`${node.baseUrl}/api/lab`)).json()) as LabSettings;
}

/** The status of a WebSocket upgrade to `node` (101 when it was accepted). */
function upgradeStatus(node: RunningServer): Promise<number> {
  const socket = new WebSocket(`${node.baseUrl.replace('http', 'ws')}/ws`);
  return new Promise((resolve) => {
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    socket.on('error', () => {});
  });
}

/** POST a message to `node` as HTTP client `client`: the status. */
async function post(node: RunningServer, client: string): Promise<number> {
  const response = await fetch(`${node.baseUrl}/api/short-polling/messages?client=${client}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input(`from ${client}`)),
  });
  await response.body?.cancel();
  return response.status;
}

describe('one cluster, one set of rules', () => {
  let redis: RedisServer;
  const running: RunningServer[] = [];
  /** Two nodes sharing one room (and so one lab and one set of limits) under `prefix`. */
  async function pair(prefix: string, options: BuildOptions = {}): Promise<[RunningServer, RunningServer]> {
    const start = (nodeId: string) =>
      startServer({ redisUrl: redis.url, redisPrefix: prefix, nodeId, presenterToken: TOKEN, rateLimit: false, ...options });
    const nodes = [await start('n1'), await start('n2')] as const;
    running.push(...nodes);
    return [...nodes];
  }

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    disconnectAll();
    await Promise.all(running.map((node) => node.close()));
    await redis.stop();
  });

  it('a setting changed on node A applies on node B (blocked WebSocket, added latency), and back', async () => {
    const [a, b] = await pair('settings:');
    assert.equal(await upgradeStatus(b), 101);
    const answer = await setLab(a, { blockWebSocket: true, addedLatencyMs: { websocket: 250 } });
    assert.equal(answer.blockWebSocket, true);
    await waitFor(() => b.app.lab.settings.blockWebSocket, 5000, 'the setting on node B');
    const onB = await labOf(b);
    assert.equal(onB.blockWebSocket, true);
    assert.equal(onB.addedLatencyMs.websocket, 250);
    assert.equal(onB.addedLatencyMs['long-polling'], 0, 'what the update did not name is kept');
    assert.equal(await upgradeStatus(b), 403, 'node B refuses the upgrade');

    // Changed back on B: A follows, and a node started now reads the settings in force.
    await setLab(b, { blockWebSocket: false, liftRateLimit: true });
    await waitFor(() => !a.app.lab.settings.blockWebSocket && a.app.lab.settings.liftRateLimit, 5000, 'the change on node A');
    assert.equal(await upgradeStatus(a), 101);
    const late = await startServer({ redisUrl: redis.url, redisPrefix: 'settings:', nodeId: 'n3', presenterToken: TOKEN });
    running.push(late);
    assert.deepEqual(await labOf(late), await labOf(a));
  });

  it('a drop issued on node A cuts the connections on node B too, and says how many on each node', async () => {
    const [a, b] = await pair('drop:');
    const clients = [makeClient('websocket', b.baseUrl), makeClient('websocket', b.baseUrl), makeClient('websocket', a.baseUrl)];
    const reconnects = clients.map(() => 0);
    clients.forEach((client, index) =>
      client.on('status', (status: TransportStatus) => {
        if (status === 'reconnecting') reconnects[index]!++;
      }),
    );
    for (const client of clients) await connected(client);

    const response = await fetch(`${a.baseUrl}/api/lab/drop`, {
      method: 'POST',
      headers: presenter,
      body: JSON.stringify({ transport: 'websocket' }),
    });
    assert.equal(response.status, 200);
    const result = (await response.json()) as {
      transport: TransportName;
      dropped: number;
      nodes: Array<{ nodeId: string; dropped: number }>;
    };
    assert.deepEqual(result.nodes, [
      { nodeId: 'n1', dropped: 1 },
      { nodeId: 'n2', dropped: 2 },
    ]);
    assert.equal(result.dropped, 3);
    await waitFor(() => reconnects.every((count) => count >= 1), 5000, 'every client, on both nodes, cut');
    // They come back and carry on.
    const sender = clients[0]!;
    await waitFor(() => sender.status === 'open', 10_000, 'reconnected');
    assert.ok((await sender.send(input('after the drop'))).id > 0);
  });

  it('/api/stats on either node: each node with its own figures, and the cluster view adding them up', async () => {
    const [a, b] = await pair('stats:');
    for (const [node, count] of [
      [a, 1],
      [b, 2],
    ] as const) {
      for (let n = 0; n < count; n++) await connected(makeClient('websocket', node.baseUrl));
    }
    const statsOf = async (node: RunningServer): Promise<StatsView> =>
      (await (await fetch(`${node.baseUrl}/api/stats`)).json()) as StatsView;
    for (const node of [a, b]) {
      let stats = await statsOf(node);
      const settled = (): boolean =>
        stats.nodes.length === 2 && stats.nodes.every((each) => each.transports.websocket.connections === (each.nodeId === 'n1' ? 1 : 2));
      for (let tries = 0; tries < 50 && !settled(); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        stats = await statsOf(node);
      }
      assert.equal(stats.nodeId, node.app.nodeId);
      assert.deepEqual(
        stats.nodes.map((each) => [each.nodeId, each.transports.websocket.connections]),
        [
          ['n1', 1],
          ['n2', 2],
        ],
      );
      assert.equal(stats.transports.websocket.connections, 3, 'the cluster view adds the nodes up');
      assert.equal(stats.cpuShare, stats.nodes[0]!.cpuShare + stats.nodes[1]!.cpuShare);
    }
    disconnectAll();
    // A node that leaves is no longer counted.
    await b.close();
    running.splice(running.indexOf(b), 1);
    let left = await statsOf(a);
    for (let tries = 0; tries < 50 && left.nodes.length > 1; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      left = await statsOf(a);
    }
    assert.deepEqual(
      left.nodes.map((each) => each.nodeId),
      ['n1'],
      'node n2 gone from the stats',
    );
  });

  it('participants are counted once across nodes: a polling client served by both nodes is one', async () => {
    const [a, b] = await pair('presence:', { presenceWindowMs: 5000 });
    const poll = async (node: RunningServer, client: string): Promise<void> => {
      const response = await fetch(`${node.baseUrl}/api/short-polling/messages?client=${client}`);
      assert.equal(response.status, 200);
      await response.body?.cancel();
    };
    // "both" polls through either node (a load balancer's round robin), "only-b" through n2 alone.
    const statsOf = async (node: RunningServer): Promise<StatsView> =>
      (await (await fetch(`${node.baseUrl}/api/stats`)).json()) as StatsView;
    const counts = (stats: StatsView) => ({
      cluster: stats.transports['short-polling'].participants,
      perNode: stats.nodes.map((each) => [each.nodeId, each.transports['short-polling'].participants]),
    });
    const expected = {
      cluster: 2,
      perNode: [
        ['n1', 1],
        ['n2', 2],
      ],
    };
    let seen = counts(await statsOf(a));
    for (let round = 0; round < 40 && JSON.stringify(seen) !== JSON.stringify(expected); round++) {
      await Promise.all([poll(a, 'both'), poll(b, 'both'), poll(b, 'only-b')]);
      await new Promise((resolve) => setTimeout(resolve, 250));
      seen = counts(await statsOf(round % 2 === 0 ? a : b));
    }
    assert.deepEqual(seen, expected, 'two participants in all (n1 saw one, n2 two; the sum would say three)');
    // Connections without a client id are each their own participant, on whichever node.
    const anonymous = await Promise.all([a, b].map((node) => fetch(`${node.baseUrl}/api/short-polling/messages`)));
    for (const response of anonymous) await response.body?.cancel();
    let withAnonymous = await statsOf(a);
    for (let tries = 0; tries < 20 && withAnonymous.transports['short-polling'].participants < 4; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      withAnonymous = await statsOf(a);
    }
    assert.equal(withAnonymous.transports['short-polling'].participants, 4, "n1's first connection and n2's are two");
  });

  it('a client alternating between nodes gets no more than its per-client rate', async () => {
    // 1 send/s, burst 4: on two nodes with limits of their own it would get 8 at once.
    const [a, b] = await pair('client-rate:', { rateLimit: true, sendRatePerClient: 1, sendBurstPerClient: 4 });
    const startedAt = Date.now();
    const statuses: number[] = [];
    for (let n = 0; n < 12; n++) statuses.push(await post(n % 2 === 0 ? a : b, 'alternating'));
    const elapsedSec = (Date.now() - startedAt) / 1000;
    const accepted = statuses.filter((status) => status === 201).length;
    assert.ok(accepted >= 4, `the burst passes (${statuses.join(' ')})`);
    assert.ok(accepted <= 4 + Math.floor(elapsedSec * 1) + 1, `at most the burst plus the refill: ${accepted} in ${elapsedSec} s`);
    assert.ok(statuses.slice(4).includes(429), 'refused on both nodes once the burst is spent');
    const refused = statuses.map((status, n) => ({ status, node: n % 2 }));
    assert.ok(
      [0, 1].every((node) => refused.some((entry) => entry.node === node && entry.status === 429)),
      'each node refuses',
    );
    // Another client of the same address is not affected.
    assert.equal(await post(b, 'neighbour'), 201);
  });

  it('clients of one address alternating between nodes get no more through two nodes than through one', async () => {
    // The address's limit binds (2 sends/s, burst 20), not the clients' own.
    const limits: BuildOptions = { rateLimit: true, sendRatePerIp: 2, sendBurstPerIp: 20, sendRatePerClient: 20, sendBurstPerClient: 40 };
    const [a, b] = await pair('ip-rate:', limits);
    const [alone] = await pair('ip-rate-one-node:', limits);
    const flood = async (nodes: RunningServer[]): Promise<{ accepted: number; seconds: number }> => {
      const startedAt = Date.now();
      let accepted = 0;
      for (let n = 0; n < 40; n++) if ((await post(nodes[n % nodes.length]!, `c${n % 3}`)) === 201) accepted++;
      return { accepted, seconds: (Date.now() - startedAt) / 1000 };
    };
    const one = await flood([alone]);
    const two = await flood([a, b]);
    assert.ok(one.accepted >= 3 && one.accepted < 40, `one node lets some through and refuses the rest (${one.accepted})`);
    // With limits of their own, two nodes would let about twice as many through.
    const refill = Math.ceil(Math.max(one.seconds, two.seconds) * 2);
    assert.ok(two.accepted <= one.accepted + refill + 1, `${two.accepted} through two nodes, ${one.accepted} through one`);
  });

  // Last: it takes Redis away.
  it('while Redis is down the lab answers 503 and each node keeps its settings; Redis back empty: the defaults again', async () => {
    const [a, b] = await pair('down:');
    await setLab(a, { addedLatencyMs: { sse: 120 } });
    await waitFor(() => b.app.lab.settings.addedLatencyMs.sse === 120, 5000, 'the setting on node B');
    await redis.stop();
    const put = await fetch(`${a.baseUrl}/api/lab`, { method: 'PUT', headers: presenter, body: JSON.stringify({ blockWebSocket: true }) });
    assert.equal(put.status, 503);
    assert.equal(((await put.json()) as { error: { code: string } }).error.code, 'unavailable');
    const drop = await fetch(`${b.baseUrl}/api/lab/drop`, {
      method: 'POST',
      headers: presenter,
      body: JSON.stringify({ transport: 'sse' }),
    });
    assert.equal(drop.status, 503);
    assert.equal((await labOf(b)).addedLatencyMs.sse, 120, 'kept while Redis is away');
    await redis.restart();
    await waitFor(
      () => [a, b].every((node) => node.app.lab.settings.addedLatencyMs.sse === 0),
      15_000,
      'the defaults of the empty dataset',
    );
  });
});
