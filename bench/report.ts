// The JSON that outside tools read (names fixed by issue 4, extended by issue 13) and the tables printed at the end.
import type { TransportName } from '../src/chat/transports.js';
import type { CapacityResult, FixedRateResult, Loads, SaturationResult } from './scenarios.js';
import type { BareKind } from './server-handle.js';
import { summaryRows, SUMMARY_COLUMNS } from './summary.js';

/** A transport's bare baseline in the saturation scenario, and ours over it. */
export interface Baseline {
  name: BareKind;
  comparesTo: TransportName;
  /** The best round; the median and every round beside it. */
  deliveriesPerSec: number;
  medianDeliveriesPerSec: number;
  roundsDeliveriesPerSec: number[];
  serverCpuUsPerDelivery: number;
  deliveriesPerCpuSecond: number;
  wireBytesPerDelivery: number;
  httpRequestsPerDelivery: number;
  /** ours / bare deliveries per second. */
  oursOverBare: number;
  /** ours / bare deliveries per CPU-second of the server: the same ratio, less exposed to a noisy machine; the target is >= 0.8. */
  oursOverBarePerCpuSecond: number;
  /** ours / bare wire bytes per delivery; the target is <= 1.3. */
  oursOverBareWireBytes: number;
  /** The load generator's CPU per delivery against the bare server (the round with the most deliveries/s). */
  loadGeneratorCpuUsPerDelivery: number;
}

/** The same fixed-rate plan against the transport's bare baseline, and ours over it. */
export interface BareFixedRate extends FixedRateResult {
  name: BareKind;
  oursOverBare: { p50: number; p99: number; wireBytesPerDelivery: number; serverCpuUsPerDelivery: number };
}

export interface BenchReport {
  quick: boolean;
  machine: Record<string, unknown>;
  /** Ours at a fixed rate, each with its bare baseline under the same plan (`bare`) where there is one. */
  results: Array<FixedRateResult & { bare?: BareFixedRate }>;
  /** Each figure the best of the rounds, with the median and every round's deliveries/s. */
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

/** Server CPU (and how busy its event loop was), load-generator CPU (flagged when client-bound) and both sides' waits for a CPU. */
const loadCells = (loads: Loads): string[] => [
  `${loads.serverCpuPct}% (loop ${loads.serverLoopBusyPct}%)`,
  `${loads.loadGeneratorCpuPct}%${loads.clientBound ? ' client-bound' : ''}`,
  `${loads.serverRunQueueWaitPct}% / ${loads.loadGeneratorRunQueueWaitPct}%`,
];

const name = (transport: TransportName, intervalMs?: number): string =>
  intervalMs === undefined ? transport : `${transport} (T=${intervalMs} ms)`;

/** The headline: one row per transport, the figures a teacher projects (docs/benchmarks.md opens with it). */
export function formatSummary(report: BenchReport): string {
  const dash = (value: unknown): string | number => (value === undefined ? '-' : (value as string | number));
  return table(
    [
      'transport',
      'p50 ms',
      'p99 ms',
      'HTTP req/msg',
      'bytes/msg',
      'server CPU us/msg',
      'memory/client',
      'clients held',
      'vs bare: msg/CPU-s',
      'bytes',
      'p50',
    ],
    summaryRows(report).map((row) => [
      row.transport,
      dash(row.p50Ms),
      dash(row.p99Ms),
      dash(row.requestsPerDelivery),
      dash(row.wireBytesPerDelivery),
      dash(row.serverCpuUsPerDelivery),
      row.rssBytesPerClient === undefined ? '-' : `${Math.round(Number(row.rssBytesPerClient) / 1024)} KiB`,
      dash(row.maxClients ?? row.clients),
      dash(row.deliveriesPerCpuSecondOverBare),
      dash(row.wireBytesPerDeliveryOverBare),
      dash(row.p50OverBare),
    ]),
  );
}

export function formatReport(report: BenchReport): string {
  const parts = [
    `Summary (fixed rate, per delivery; clients held: the capacity sweep's most with p95 < 500 ms, else the fixed-rate clients; ours / bare under the same plan; all ${Object.keys(SUMMARY_COLUMNS).length} columns in --csv)`,
    formatSummary(report),
    '',
    'Fixed rate (latency in ms; per delivery: HTTP requests, wire bytes, server CPU us; the bare baseline under the same plan beside ours)',
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
        'gen us/req',
        'CPU wait srv/gen',
        'bare p50 | bytes/dlv | cpu us/dlv | gen CPU',
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
        ...loadCells(row).slice(0, 2),
        row.loadGeneratorCpuUsPerRequest ?? '-',
        loadCells(row)[2]!,
        row.bare
          ? `${row.bare.latencyMs.p50} | ${row.bare.wireBytesPerDelivery} | ${row.bare.serverCpuUsPerDelivery} | ${loadCells(row.bare)[1]}`
          : '-',
      ]),
    ),
  ];
  if (report.saturation.length > 0) {
    const bare = (transport: string): Baseline | undefined => report.baselines.find((baseline) => baseline.comparesTo === transport);
    parts.push(
      '',
      'Saturation (broadcasts always in flight; each figure the best of the rounds; ours beside the bare baseline)',
      table(
        [
          'transport',
          'clients',
          'ours dlv/s',
          'bare dlv/s',
          'ours/bare',
          'rounds ours | bare',
          'cpu us/dlv ours | bare',
          'ours/bare per CPU-s',
          'bytes/dlv ours | bare',
          'ours/bare bytes',
          'req/dlv ours | bare',
          'srv CPU',
          'gen CPU',
          'CPU wait srv/gen',
          'gen us/dlv ours | bare',
        ],
        report.saturation.map((row) => {
          const baseline = bare(row.transport);
          return [
            row.transport,
            row.clients,
            row.deliveriesPerSec,
            baseline?.deliveriesPerSec ?? '-',
            baseline?.oursOverBare ?? '-',
            `${row.roundsDeliveriesPerSec.join(' ')} | ${baseline?.roundsDeliveriesPerSec.join(' ') ?? '-'}`,
            `${row.serverCpuUsPerDelivery} | ${baseline?.serverCpuUsPerDelivery ?? '-'}`,
            baseline?.oursOverBarePerCpuSecond ?? '-',
            `${row.wireBytesPerDelivery} | ${baseline?.wireBytesPerDelivery ?? '-'}`,
            baseline?.oursOverBareWireBytes ?? '-',
            `${row.httpRequestsPerDelivery} | ${baseline?.httpRequestsPerDelivery ?? '-'}`,
            ...loadCells(row),
            `${row.loadGeneratorCpuUsPerDelivery} | ${baseline?.loadGeneratorCpuUsPerDelivery ?? '-'}`,
          ];
        }),
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
