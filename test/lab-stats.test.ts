// Unit tests of src/lab/stats.ts: counters become per-second rates in the
// one-second sample, gauges are read at each sample, participants are the
// distinct client ids seen (by request, or while holding a connection), and watched sockets have their written bytes accounted.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { SAMPLE_MS, WireStats } from '../src/lab/stats.js';
import { waitFor } from './helpers.js';

describe('WireStats', () => {
  it('turns counters into rates and totals at the next sample, with the gauges of that moment', async () => {
    const stats = new WireStats();
    try {
      let held = 3;
      stats.setGauges('long-polling', {
        connections: () => held,
        heldPolls: () => held,
        clientIds: () => ['a', 'b', 'c'].slice(0, held),
      });
      stats.count('websocket', 'messages', 5);
      stats.count('short-polling', 'polls', 4);
      stats.count('short-polling', 'emptyPolls', 1);
      stats.seen('short-polling', 'poller-1');
      stats.seen('short-polling', 'poller-2');
      stats.seen('short-polling', 'poller-1');
      const before = stats.last.at;
      await waitFor(() => stats.last.at > before, SAMPLE_MS * 5, 'a sample');
      const { transports, cpuShare, intervalMs } = stats.last;
      assert.ok(intervalMs >= SAMPLE_MS * 0.5 && cpuShare >= 0);
      assert.equal(transports.websocket.totals.messages, 5);
      assert.ok(transports.websocket.messagesPerSec > 0 && transports.websocket.messagesPerSec <= 5 / (intervalMs / 1000) + 1);
      assert.equal(transports['short-polling'].emptyPollShare, 0.25);
      assert.equal(transports['short-polling'].participants, 2, 'two polling clients seen, one of them twice');
      assert.deepEqual(
        [transports['long-polling'].connections, transports['long-polling'].heldPolls, transports['long-polling'].participants],
        [3, 3, 3],
      );
      assert.equal(transports.socketio.emptyPollShare, null, 'no polls: no share');
      held = 0;
      const next = stats.last.at;
      await waitFor(() => stats.last.at > next, SAMPLE_MS * 5, 'another sample');
      assert.equal(stats.last.transports['long-polling'].connections, 0);
      assert.equal(stats.last.transports['long-polling'].participants, 3, 'gone, but seen within the window');
      assert.equal(stats.last.transports.websocket.messagesPerSec, 0, 'a rate is per interval');
      assert.equal(stats.last.transports.websocket.totals.messages, 5, 'totals stay');
    } finally {
      stats.stop();
    }
  });

  it('counts the bytes written to a watched socket as the transport’s wire bytes', async () => {
    const stats = new WireStats();
    const server = net.createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      await once(socket, 'connect');
      stats.watchSocket('websocket', socket);
      socket.write(Buffer.alloc(1000));
      socket.end();
      await once(socket, 'close');
      const before = stats.last.at;
      await waitFor(() => stats.last.at > before, SAMPLE_MS * 5, 'a sample');
      assert.equal(stats.last.transports.websocket.totals.wireBytesOut, 1000);
    } finally {
      stats.stop();
      server.close();
    }
  });
});
