// Exactly-once under faults, in `npm test`: every transport's clients go
// through the fault proxy while connections are cut every 200 ms.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runChaos, type ChaosResult } from './faults/chaos.js';
import { disconnectAll, TRANSPORTS } from './helpers.js';

function assertExactlyOnce(result: ChaosResult, expectResets: boolean): void {
  assert.equal(result.missingFromRooms, 0, 'an acknowledged send is in no room');
  assert.equal(result.doubledInRooms, 0, 'a send was appended twice');
  assert.ok(result.cuts > 0, 'the proxy cut no connection: the run proved nothing');
  for (const name of TRANSPORTS) {
    const tally = result.transports[name];
    assert.deepEqual(
      { lost: tally.lost, duplicated: tally.duplicated, reordered: tally.reordered },
      { lost: 0, duplicated: 0, reordered: 0 },
      `${name}: ${JSON.stringify(tally)}; not caught up: ${result.stragglers.join('; ')}`,
    );
    assert.equal(
      tally.resetAsExpected,
      tally.clients,
      `${name}: ${tally.clients - tally.resetAsExpected} clients saw the wrong resets (restart: ${expectResets})`,
    );
  }
}

describe('chaos through the fault proxy', () => {
  after(disconnectAll);

  it('4 transports x 6 clients, 8 senders, cuts every 200 ms: 0 lost, 0 duplicated, 0 reordered', async () => {
    const result = await runChaos({
      clientsPerTransport: 6,
      sendersPerTransport: 2,
      messages: 300,
      cutEveryMs: 200,
      cutFraction: 0.3,
      settleMs: 20_000,
    });
    assert.equal(result.roomMessages, result.sent);
    assertExactlyOnce(result, false);
  });

  it('with latency, jitter and stalls too (5-25 ms per chunk, a 300 ms stall every 10th tick): 0 lost, 0 duplicated, 0 reordered', async () => {
    const result = await runChaos({
      clientsPerTransport: 6,
      sendersPerTransport: 2,
      messages: 300,
      cutEveryMs: 200,
      cutFraction: 0.3,
      settleMs: 30_000,
      latency: { latencyMs: 5, jitterMs: 20 },
      stallEvery: 10,
      stallMs: 300,
    });
    assert.equal(result.roomMessages, result.sent);
    assertExactlyOnce(result, false);
  });

  it('a server restart mid-run: every client resets once and ends consistent with the new room', async () => {
    const result = await runChaos({
      clientsPerTransport: 4,
      sendersPerTransport: 1,
      messages: 160,
      cutEveryMs: 200,
      cutFraction: 0.3,
      restartAfter: 60,
      settleMs: 20_000,
    });
    assert.ok(result.restarted);
    assert.ok(result.roomMessages > 0 && result.roomMessages <= result.sent);
    assertExactlyOnce(result, true);
  });
});
