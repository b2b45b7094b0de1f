// `npm run chaos`: the full chaos run (every transport x 25 clients, 2,000
// messages, cuts every 200 ms), then the same with a server restart midway.
// Prints a summary; exits 1 if any message was lost, doubled or reordered.
// `--runs N` repeats it (one run at a time) to hunt a rare failure; with
// `--timeline DIR` every failing client's timeline is written there.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chaosProblems, runChaos, type ChaosOptions, type ChaosResult } from '../faults/chaos.js';
import { disconnectAll, TRANSPORTS } from '../helpers.js';

const HELP = `npm run chaos -- [options]

  --clients N        clients per transport (25)
  --messages N       messages in all (2000)
  --senders N        of each transport's clients, how many send (2)
  --cut-every MS     a fault tick every MS ms (200)
  --cut-fraction F   share of open connections cut at a tick (0.3)
  --latency MS       added to every chunk through the proxy, each way (0)
  --jitter MS        up to this much more, at random; order kept (0)
  --stall-every N    every Nth tick stalls every connection instead of cutting (0: never)
  --stall-ms MS      how long a stall lasts (300)
  --settle MS        how long clients get to catch up once the faults stop (60000)
  --no-restart       only the steady run, not the one with a server restart halfway
  --runs N           repeat, one run after the other (1)
  --max-minutes M    stop repeating after this long (no limit)
  --timeline DIR     write the timeline of every failing client there (and print where)
  --help             this text
`;

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '25' },
    messages: { type: 'string', default: '2000' },
    senders: { type: 'string', default: '2' },
    'cut-every': { type: 'string', default: '200' },
    'cut-fraction': { type: 'string', default: '0.3' },
    latency: { type: 'string', default: '0' },
    jitter: { type: 'string', default: '0' },
    'stall-every': { type: 'string', default: '0' },
    'stall-ms': { type: 'string', default: '300' },
    settle: { type: 'string', default: '60000' },
    'no-restart': { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    'max-minutes': { type: 'string', default: '0' },
    timeline: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function print(title: string, result: ChaosResult, problems: string[]): void {
  console.log(`\n${title}`);
  console.log(
    `  sent ${result.sent}, in the final room ${result.roomMessages}, acked but missing ${result.missingFromRooms}, ` +
      `doubled ${result.doubledInRooms}, connections cut ${result.cuts}, longest send ${(result.longestSendMs / 1000).toFixed(1)} s, ` +
      `${(result.durationMs / 1000).toFixed(1)} s, ` +
      `load average ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log('  transport       clients  delivered  lost  dup  reordered  resets-as-expected');
  for (const name of TRANSPORTS) {
    const t = result.transports[name];
    console.log(
      `  ${name.padEnd(14)}  ${String(t.clients).padStart(7)}  ${String(t.delivered).padStart(9)}  ${String(t.lost).padStart(4)}  ` +
        `${String(t.duplicated).padStart(3)}  ${String(t.reordered).padStart(9)}  ${String(t.resetAsExpected).padStart(18)}`,
    );
  }
  console.log(
    `  => ${problems.length === 0 ? 'OK: every client has every message exactly once, in order' : `FAILED: ${problems.join('; ')}`}`,
  );
}

const base: ChaosOptions = {
  clientsPerTransport: Number(values.clients),
  sendersPerTransport: Number(values.senders),
  messages: Number(values.messages),
  cutEveryMs: Number(values['cut-every']),
  cutFraction: Number(values['cut-fraction']),
  settleMs: Number(values.settle),
  latency: { latencyMs: Number(values.latency), jitterMs: Number(values.jitter) },
  stallEvery: Number(values['stall-every']),
  stallMs: Number(values['stall-ms']),
  timeline: values.timeline !== undefined,
};
const variants: Array<{ title: string; options: ChaosOptions }> = [
  {
    title: `Chaos: ${TRANSPORTS.length} transports x ${base.clientsPerTransport} clients, cuts every ${base.cutEveryMs} ms`,
    options: base,
  },
  ...(values['no-restart']
    ? []
    : [
        {
          title: 'Chaos with a server restart (new room, same port) halfway',
          options: { ...base, restartAfter: Math.floor(base.messages / 2) },
        },
      ]),
];

const runs = Number(values.runs);
const deadline = Number(values['max-minutes']) > 0 ? Date.now() + Number(values['max-minutes']) * 60_000 : Infinity;
let failed = 0;
let done = 0;
for (let run = 1; run <= runs && Date.now() < deadline; run++) {
  for (const { title, options } of variants) {
    const result = await runChaos(options);
    const problems = chaosProblems(result);
    print(runs > 1 ? `[run ${run}/${runs}] ${title}` : title, result, problems);
    if (problems.length > 0) {
      failed++;
      if (values.timeline !== undefined && result.timelines.length > 0) {
        mkdirSync(values.timeline, { recursive: true });
        const file = path.join(values.timeline, `chaos-run-${run}${options.restartAfter === undefined ? '' : '-restart'}.txt`);
        writeFileSync(file, `${problems.join('\n')}\n\n${result.timelines.join('\n\n')}\n`);
        console.log(`  timeline of the ${result.timelines.length} failing clients: ${file}`);
      }
    }
  }
  done = run;
}
if (runs > 1) console.log(`\n${done} runs (${done * variants.length} chaos runs), ${failed} failed`);
disconnectAll();
process.exit(failed === 0 ? 0 : 1);
