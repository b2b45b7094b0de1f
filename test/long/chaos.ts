// `npm run chaos`: the full chaos run (4 transports x 25 clients, 2,000
// messages, cuts every 200 ms), then the same with a server restart midway.
// Prints a summary; exits 1 if any message was lost, doubled or reordered.
import { parseArgs } from 'node:util';
import { runChaos, type ChaosResult } from '../faults/chaos.js';
import { disconnectAll, TRANSPORTS } from '../helpers.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '25' },
    messages: { type: 'string', default: '2000' },
    senders: { type: 'string', default: '2' },
    'cut-every': { type: 'string', default: '200' },
    'cut-fraction': { type: 'string', default: '0.3' },
    /** Optional extra faults: latency and jitter per chunk (ms), and a stall instead of every Nth cut. */
    latency: { type: 'string', default: '0' },
    jitter: { type: 'string', default: '0' },
    'stall-every': { type: 'string', default: '0' },
    'stall-ms': { type: 'string', default: '300' },
  },
});

function clean(result: ChaosResult): boolean {
  return (
    result.missingFromRooms === 0 &&
    result.doubledInRooms === 0 &&
    TRANSPORTS.every((name) => {
      const tally = result.transports[name];
      return tally.lost === 0 && tally.duplicated === 0 && tally.reordered === 0 && tally.resetAsExpected === tally.clients;
    })
  );
}

function print(title: string, result: ChaosResult): void {
  console.log(`\n${title}`);
  console.log(
    `  sent ${result.sent}, in the final room ${result.roomMessages}, acked but missing ${result.missingFromRooms}, ` +
      `doubled ${result.doubledInRooms}, connections cut ${result.cuts}, ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  console.log('  transport       clients  delivered  lost  dup  reordered  resets-as-expected');
  for (const name of TRANSPORTS) {
    const t = result.transports[name];
    console.log(
      `  ${name.padEnd(14)}  ${String(t.clients).padStart(7)}  ${String(t.delivered).padStart(9)}  ${String(t.lost).padStart(4)}  ` +
        `${String(t.duplicated).padStart(3)}  ${String(t.reordered).padStart(9)}  ${String(t.resetAsExpected).padStart(18)}`,
    );
  }
  console.log(`  => ${clean(result) ? 'OK: every client has every message exactly once, in order' : 'FAILED'}`);
}

const base = {
  clientsPerTransport: Number(values.clients),
  sendersPerTransport: Number(values.senders),
  messages: Number(values.messages),
  cutEveryMs: Number(values['cut-every']),
  cutFraction: Number(values['cut-fraction']),
  settleMs: 60_000,
  latency: { latencyMs: Number(values.latency), jitterMs: Number(values.jitter) },
  stallEvery: Number(values['stall-every']),
  stallMs: Number(values['stall-ms']),
};
const steady = await runChaos(base);
print(`Chaos: ${TRANSPORTS.length} transports x ${base.clientsPerTransport} clients, cuts every ${base.cutEveryMs} ms`, steady);
const restart = await runChaos({ ...base, restartAfter: Math.floor(base.messages / 2) });
print('Chaos with a server restart (new room, same port) halfway', restart);
disconnectAll();
process.exit(clean(steady) && clean(restart) ? 0 : 1);
