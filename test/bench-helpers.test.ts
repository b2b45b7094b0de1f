// The benchmark's pure helpers (the benchmark itself is not part of npm test):
// the CSV writer, the per-transport summary rows and the regression guard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareReports } from '../bench/compare.js';
import { toCsv } from '../bench/csv.js';
import type { Baseline, BenchReport } from '../bench/report.js';
import { saturationClientBound } from '../bench/scenarios.js';
import { ratio, summaryRows, SUMMARY_COLUMNS } from '../bench/summary.js';

function baseline(comparesTo: Baseline['comparesTo'], perCpuSecond: number, wireBytes: number): Baseline {
  return {
    name: 'bare-long-polling',
    comparesTo,
    deliveriesPerSec: 1000,
    medianDeliveriesPerSec: 900,
    roundsDeliveriesPerSec: [900, 1000, 800],
    serverCpuUsPerDelivery: 10,
    deliveriesPerCpuSecond: 100_000,
    wireBytesPerDelivery: 200,
    httpRequestsPerDelivery: 0.1,
    oursOverBare: 0.9,
    oursOverBarePerCpuSecond: perCpuSecond,
    oursOverBareWireBytes: wireBytes,
    loadGeneratorCpuUsPerDelivery: 5,
  };
}

function report(baselines: Baseline[], failures: string[] = []): BenchReport {
  return { quick: true, machine: {}, results: [], saturation: [], baselines, capacity: [], failures };
}

describe('bench CSV', () => {
  it('writes a header and one line per row, quoting only what needs it', () => {
    const csv = toCsv(
      ['transport', 'p50Ms', 'note'],
      [{ transport: 'long-polling', p50Ms: 12.5, note: 'a "b", c' }, { transport: 'websocket' }],
    );
    assert.equal(csv, 'transport,p50Ms,note\r\nlong-polling,12.5,"a ""b"", c"\r\nwebsocket,,\r\n');
  });
});

describe('bench summary rows', () => {
  it('gives one row per transport with the plain column names, saturation ratios from the baselines', () => {
    const rows = summaryRows(report([baseline('long-polling', 0.95, 1.12)]));
    assert.deepEqual(rows, [
      {
        transport: 'long-polling',
        saturationDeliveriesPerSecOverBare: 0.9,
        saturationDeliveriesPerCpuSecondOverBare: 0.95,
        saturationWireBytesPerDeliveryOverBare: 1.12,
      },
    ]);
    for (const key of Object.keys(rows[0]!)) assert.ok(key in SUMMARY_COLUMNS, key);
  });

  it('takes the fixed-rate figures and their ratios to bare from the same plan', () => {
    const fixed = (cpu: number, bytes: number, p50: number) => ({
      transport: 'short-polling' as const,
      clients: 1000,
      rate: 10,
      expected: 100_000,
      delivered: 100_000,
      lost: 0,
      duplicated: 0,
      reordered: 0,
      strays: 0,
      latencyMs: { p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 4 },
      requests: 10_000,
      wireBytes: 2_400_000,
      httpRequestsPerDelivery: 0.1,
      wireBytesPerDelivery: bytes,
      serverCpuUsPerDelivery: cpu,
      rssBytesPerClient: 20_480,
      serverCpuPct: 20,
      loadGeneratorCpuPct: 30,
      clientBound: false,
      serverLoopBusyPct: 20,
      serverRunQueueWaitPct: 1,
      loadGeneratorRunQueueWaitPct: 1,
    });
    const ours = fixed(15, 240, 510);
    const bare = {
      ...fixed(12, 220, 500),
      name: 'bare-short-polling' as const,
      oursOverBare: { p50: 1.02, p99: 1.02, wireBytesPerDelivery: 1.09, serverCpuUsPerDelivery: 1.25 },
    };
    const [row] = summaryRows({ ...report([]), results: [{ ...ours, bare }] });
    assert.equal(row!.p50Ms, 510);
    assert.equal(row!.sent, 100);
    assert.equal(row!.bareP50Ms, 500);
    assert.equal(row!.deliveriesPerCpuSecondOverBare, 0.8); // 12 µs / 15 µs
    assert.equal(row!.wireBytesPerDeliveryOverBare, 1.09);
    assert.equal(row!.saturationDeliveriesPerCpuSecondOverBare, undefined);
  });

  it('ratio() is ours / bare to two digits, 0 when bare measured nothing', () => {
    assert.equal(ratio(3, 4), 0.75);
    assert.equal(ratio(2, 3), 0.67);
    assert.equal(ratio(5, 0), 0);
  });
});

describe('bench saturation: client-bound', () => {
  it('only when the load generator was busy and the server waited for it (its event loop had idle time)', () => {
    assert.equal(saturationClientBound({ loadGeneratorCpuPct: 90, serverLoopBusyPct: 70 }), true);
    assert.equal(saturationClientBound({ loadGeneratorCpuPct: 90, serverLoopBusyPct: 100 }), false, 'the server was what limited');
    assert.equal(saturationClientBound({ loadGeneratorCpuPct: 50, serverLoopBusyPct: 70 }), false, 'the generator had time to spare');
  });
});

describe('bench regression guard (--compare)', () => {
  const saved = report([baseline('long-polling', 1.0, 1.1), baseline('websocket', 0.95, 1.0)]);

  it('passes when every ratio is within 20 % of the saved one, better or worse', () => {
    const now = report([baseline('long-polling', 0.81, 1.3), baseline('websocket', 1.2, 0.9)]);
    const { failures, lines } = compareReports(now, saved);
    assert.deepEqual(failures, []);
    assert.equal(lines.length, 4);
  });

  it('fails when deliveries per CPU-second fall more than 20 % against bare', () => {
    const { failures } = compareReports(report([baseline('long-polling', 0.79, 1.1), baseline('websocket', 0.95, 1.0)]), saved);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /long-polling: deliveries per server CPU-second/);
  });

  it('fails when wire bytes per delivery grow more than 20 % against bare (fewer is better)', () => {
    const { failures } = compareReports(report([baseline('long-polling', 1.0, 1.1), baseline('websocket', 0.95, 1.3)]), saved);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /websocket: wire bytes per delivery/);
  });

  it('fails on anything lost, duplicated or reordered, and notes transports only one side measured', () => {
    const now = report([baseline('short-polling', 1, 1)], ['fixed-rate long-polling: 3 lost']);
    const { failures, lines } = compareReports(now, saved);
    assert.deepEqual(failures, ['deliveries: fixed-rate long-polling: 3 lost']);
    assert.ok(lines.some((line) => line.startsWith('short-polling: not in the saved report')));
    assert.ok(lines.some((line) => line.startsWith('websocket: not measured in this run')));
  });
});
