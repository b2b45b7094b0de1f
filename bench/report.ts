// The JSON that outside tools read (names fixed by issue 4) and the tables printed at the end.
import type { TransportName } from '../src/chat/transports.js';
import type { CapacityResult, FixedRateResult, Loads, SaturationResult } from './scenarios.js';

export interface Baseline {
  name: 'bare-ws' | 'bare-socketio';
  comparesTo: 'websocket' | 'socketio';
  /** The best round; the median and every round beside it. */
  deliveriesPerSec: number;
  medianDeliveriesPerSec: number;
  roundsDeliveriesPerSec: number[];
  serverCpuUsPerDelivery: number;
  deliveriesPerCpuSecond: number;
  /** ours / bare deliveries per second; the target is >= 0.8. */
  oursOverBare: number;
  /** ours / bare deliveries per CPU-second of the server: the same ratio, less exposed to a noisy machine. */
  oursOverBarePerCpuSecond: number;
}

export interface BenchReport {
  quick: boolean;
  machine: Record<string, unknown>;
  results: FixedRateResult[];
  /** The best of the rounds, with the median and every round's deliveries/s. */
  saturation: Array<Omit<SaturationResult, 'server'> & { medianDeliveriesPerSec: number; roundsDeliveriesPerSec: number[] }>;
  baselines: Baseline[];
  capacity: CapacityResult[];
  /** Every check that failed (lost, duplicated or reordered deliveries); empty on a good run. */
  failures: string[];
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Server CPU, load-generator CPU (flagged when client-bound) and both sides' waits for a CPU. */
const loadCells = (loads: Loads): string[] => [
  `${loads.serverCpuPct}%`,
  `${loads.loadGeneratorCpuPct}%${loads.clientBound ? ' client-bound' : ''}`,
  `${loads.serverRunQueueWaitPct}% / ${loads.loadGeneratorRunQueueWaitPct}%`,
];

const name = (transport: TransportName, intervalMs?: number): string =>
  intervalMs === undefined ? transport : `${transport} (T=${intervalMs} ms)`;

export function formatReport(report: BenchReport): string {
  const parts = [
    'Fixed rate (latency in ms; per delivery: HTTP requests, wire bytes, server CPU us)',
    table(
      [
        'transport',
        'clients',
        'msg/s',
        'delivered',
        'lost',
        'dup',
        'reord',
        'p50',
        'p95',
        'p99',
        'max',
        'req/dlv',
        'bytes/dlv',
        'cpu us/dlv',
        'RSS/client',
        'srv CPU',
        'gen CPU',
        'CPU wait srv/gen',
      ],
      report.results.map((row) => [
        name(row.transport, row.intervalMs),
        row.clients,
        row.rate,
        `${row.delivered}/${row.expected}`,
        row.lost,
        row.duplicated,
        row.reordered,
        row.expectedP50Ms === undefined ? row.latencyMs.p50 : `${row.latencyMs.p50} (T/2=${row.expectedP50Ms})`,
        row.latencyMs.p95,
        row.latencyMs.p99,
        row.latencyMs.max,
        row.httpRequestsPerDelivery,
        row.wireBytesPerDelivery,
        row.serverCpuUsPerDelivery,
        `${Math.round(row.rssBytesPerClient / 1024)} KiB`,
        ...loadCells(row),
      ]),
    ),
  ];
  if (report.saturation.length > 0) {
    const bare = (transport: string): Baseline | undefined => report.baselines.find((baseline) => baseline.comparesTo === transport);
    parts.push(
      '',
      'Saturation (best round of deliveries/s with broadcasts always in flight; ours beside the bare library)',
      table(
        [
          'transport',
          'clients',
          'ours dlv/s',
          'bare dlv/s',
          'ours/bare',
          'rounds ours | bare',
          'ours cpu us/dlv',
          'bare cpu us/dlv',
          'ours/bare per CPU-s',
          'srv CPU',
          'gen CPU',
          'CPU wait srv/gen',
        ],
        report.saturation.map((row) => [
          row.transport,
          row.clients,
          row.deliveriesPerSec,
          bare(row.transport)?.deliveriesPerSec ?? '-',
          bare(row.transport)?.oursOverBare ?? '-',
          `${row.roundsDeliveriesPerSec.join(' ')} | ${bare(row.transport)?.roundsDeliveriesPerSec.join(' ') ?? '-'}`,
          row.serverCpuUsPerDelivery,
          bare(row.transport)?.serverCpuUsPerDelivery ?? '-',
          bare(row.transport)?.oursOverBarePerCpuSecond ?? '-',
          ...loadCells(row),
        ]),
      ),
    );
  }
  if (report.capacity.length > 0) {
    parts.push(
      '',
      `Capacity (most clients with p95 < 500 ms)`,
      table(
        ['transport', 'msg/s', 'max clients', 'limited by'],
        report.capacity.map((row) => [name(row.transport, row.intervalMs), row.rate, row.maxClientsP95Under500ms, row.limitedBy]),
      ),
    );
  }
  return parts.join('\n');
}
