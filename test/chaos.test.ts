// Exactly-once under faults, in `npm test`: every transport's clients (the
// descriptor list's) go through the fault proxy while connections are cut
// every 200 ms; one case adds latency, jitter and stalls, one a server restart.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { chaosProblems, runChaos, type ChaosOptions } from './faults/chaos.js';
import { disconnectAll, TRANSPORTS } from './helpers.js';

const CUTS = { cutEveryMs: 200, cutFraction: 0.3 } as const;

const CASES: Array<{ title: string; options: ChaosOptions }> = [
  {
    title: 'cuts every 200 ms',
    options: { clientsPerTransport: 6, sendersPerTransport: 2, messages: 300, ...CUTS, settleMs: 20_000 },
  },
  {
    title: 'cuts, 5-25 ms latency per chunk and a 300 ms stall every 10th tick',
    options: {
      clientsPerTransport: 6,
      sendersPerTransport: 2,
      messages: 300,
      ...CUTS,
      settleMs: 30_000,
      latency: { latencyMs: 5, jitterMs: 20 },
      stallEvery: 10,
      stallMs: 300,
    },
  },
  {
    title: 'cuts and a server restart mid-run: every client resets once and ends consistent with the new room',
    options: { clientsPerTransport: 4, sendersPerTransport: 1, messages: 160, ...CUTS, restartAfter: 60, settleMs: 20_000 },
  },
];

describe('chaos through the fault proxy', () => {
  after(disconnectAll);

  for (const { title, options } of CASES) {
    const senders = TRANSPORTS.length * options.sendersPerTransport;
    it(`${TRANSPORTS.length} transports x ${options.clientsPerTransport} clients, ${senders} senders, ${title}: 0 lost, 0 duplicated, 0 reordered`, async () => {
      // A failing run shows each failing client's timeline (status, wire, deliveries, the proxy's faults).
      const result = await runChaos({ ...options, timeline: true });
      assert.deepEqual(chaosProblems(result), [], result.timelines.join('\n\n'));
      assert.ok(result.cuts > 0, 'the proxy cut no connection: the run proved nothing');
      if (options.restartAfter === undefined) {
        assert.equal(result.roomMessages, result.sent);
      } else {
        assert.ok(result.restarted);
        assert.ok(result.roomMessages > 0 && result.roomMessages <= result.sent);
      }
    });
  }
});
