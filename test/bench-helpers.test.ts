// The benchmark's pure helpers (the benchmark itself is not part of npm test):
// the CSV writer, the per-transport summary rows and the regression guard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareReports } from '../bench/compare.js';
import { toCsv } from '../bench/csv.js';
import type { Baseline, BenchReport } from '../bench/report.js';
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
  it('gives one row per transport with the plain column names, ratios from the baselines', () => {
    const rows = summaryRows(report([baseline('long-polling', 0.95, 1.12)]));
    assert.deepEqual(rows, [
      {
        transport: 'long-polling',
        deliveriesPerSecOverBare: 0.9,
        deliveriesPerCpuSecondOverBare: 0.95,
        wireBytesPerDeliveryOverBare: 1.12,
      },
    ]);
    for (const key of Object.keys(rows[0]!)) assert.ok(key in SUMMARY_COLUMNS, key);
  });

  it('ratio() is ours / bare to two digits, 0 when bare measured nothing', () => {
    assert.equal(ratio(3, 4), 0.75);
    assert.equal(ratio(2, 3), 0.67);
    assert.equal(ratio(5, 0), 0);
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
