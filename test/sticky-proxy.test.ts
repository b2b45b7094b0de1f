// Two nodes behind HAProxy: Socket.IO's HTTP long-polling session lives on the
// node that made it, so a proxy that balances every request round robin breaks
// it, and one that routes by the `sid` query parameter keeps it working.
// (Stickiness by client address would prove nothing: every test client is on loopback.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHaproxy, type RunningProxy } from '../src/cluster/haproxy.js';
import type { TransportStatus } from '../src/client/transport.js';
import { connected, disconnectAll, input, makeClient, startServer, waitFor, type RunningServer } from './helpers.js';
import { freePort } from './redis-server.js';

describe('Socket.IO polling behind a proxy', () => {
  let nodes: RunningServer[];
  let proxy: RunningProxy | undefined;

  const proxyTo = async (stickySocketIo: boolean): Promise<RunningProxy> => {
    await proxy?.stop();
    const port = await freePort();
    proxy = await startHaproxy({
      host: '127.0.0.1',
      port,
      stickySocketIo,
      nodes: nodes.map((node) => ({ id: node.app.nodeId, host: '127.0.0.1', port: node.port })),
    });
    return proxy;
  };

  before(async () => {
    nodes = [await startServer({ nodeId: 'n1' }), await startServer({ nodeId: 'n2' })];
  });
  after(async () => {
    disconnectAll();
    await proxy?.stop();
    await Promise.all(nodes.map((node) => node.close()));
  });

  it('breaks when the proxy balances every request round robin', async () => {
    const { url, config } = await proxyTo(false);
    assert.doesNotMatch(config, /url_param\(sid\)/);
    const client = makeClient('socketio', url, { socketioMode: 'polling', since: 0 });
    const statuses: Array<[TransportStatus, string]> = [];
    client.on('status', (status, detail) => statuses.push([status, detail]));
    let synced = false;
    client.on('sync', () => (synced = true));
    client.connect();
    // Each new session's next request lands on the other node, which does not know its sid.
    await waitFor(() => statuses.filter(([status]) => status === 'reconnecting').length >= 2, 20_000, 'repeated reconnects');
    client.disconnect();
    assert.equal(synced, false, `a session survived round robin: ${JSON.stringify(statuses)}`);
  });

  it('works when the proxy routes Socket.IO requests by their sid', async () => {
    const { url, config } = await proxyTo(true);
    assert.match(config, /use-server n1 if \{ url_param\(sid\) -m beg n1\. \}/);
    const client = makeClient('socketio', url, { socketioMode: 'polling', since: 0 });
    const recorder = await connected(client);
    const receipt = await client.send(input('through the proxy'));
    await recorder.waitForMessages(1);
    assert.equal(recorder.messages[0]?.id, receipt.id);
    // More messages: more polls and sends, every one to the session's node.
    const requestsBefore = client.traffic.requests;
    for (let n = 0; n < 5; n++) await client.send(input(`still here ${n}`));
    await recorder.waitForMessages(6);
    assert.ok(client.traffic.requests >= requestsBefore + 5, `${client.traffic.requests - requestsBefore} requests`);
    assert.equal(client.status, 'open');
    assert.equal(recorder.syncs.length, 1, 'one session, never re-established');
  });
});
