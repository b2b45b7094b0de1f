// Unit tests of public/results/session-results.ts: one row per transport with
// the page's and the server's figures and the settings in force; the CSV
// parses back to the same rows; the columns the benchmark's CSV also has
// carry the same names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SUMMARY_COLUMNS } from '../bench/summary.js';
import { LatencyStats } from '../public/latency/latency-stats.js';
import { EXPORT_COLUMNS, resultsCsv, resultsFileName, SHARED_WITH_BENCH, sessionResults } from '../public/results/session-results.js';
import { TRANSPORT_NAMES } from '../src/chat/transports.js';
import { defaultSettings } from '../src/lab/settings.js';
import { WireStats } from '../src/lab/stats.js';

/** RFC 4180 as resultsCsv writes it (quoted cells with doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted && char === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += char;
    }
  }
  return rows;
}

function example() {
  const latency = new LatencyStats();
  for (const value of [3, 4, 5, 6, 100]) latency.record(value);
  const stats = new WireStats();
  stats.stop();
  const settings = { ...defaultSettings(), blockWebSocket: true };
  settings.addedLatencyMs = { ...settings.addedLatencyMs, 'long-polling': 200 };
  return sessionResults({
    exportedAt: new Date('2026-11-26T13:05:00.123Z'),
    server: 'http://192.168.1.20:3000',
    nodeId: 'n1',
    timedOn: 'own',
    settings,
    stats: stats.last,
    panes: {
      websocket: {
        latency,
        expectedMs: 2.345,
        traffic: { requests: 0, emptyPolls: 0, messagesIn: 10, messagesOut: 5, bytesIn: 1200, bytesOut: 600 },
      },
      'short-polling': {
        latency: new LatencyStats(),
        expectedMs: 500,
        intervalMs: 1000,
        traffic: { requests: 40, emptyPolls: 30, messagesIn: 10, messagesOut: 2, bytesIn: 9000, bytesOut: 300 },
      },
    },
  });
}

describe('session results', () => {
  it('has one row per transport, registry order, with the page’s figures where it runs a pane and the settings in force', () => {
    const results = example();
    assert.deepEqual(
      results.rows.map((row) => row.transport),
      TRANSPORT_NAMES,
    );
    const websocket = results.rows.find((row) => row.transport === 'websocket')!;
    assert.equal(websocket.latencySamples, 5);
    assert.equal(websocket.p50Ms, 5);
    assert.equal(websocket.maxMs, 100);
    assert.equal(websocket.expectedMs, 2.3);
    assert.equal(websocket.requestsPerDelivery, 0);
    assert.equal(websocket.blockWebSocket, true);
    assert.equal(websocket.participants, 0, 'the server’s count rides along');
    const shortPolling = results.rows.find((row) => row.transport === 'short-polling')!;
    assert.equal(shortPolling.p50Ms, undefined, 'nothing timed: empty, not 0');
    assert.equal(shortPolling.requestsPerDelivery, 4);
    assert.equal(shortPolling.intervalMs, 1000);
    const longPolling = results.rows.find((row) => row.transport === 'long-polling')!;
    assert.equal(longPolling.requests, undefined, 'no pane here: no page figures');
    assert.equal(longPolling.addedLatencyMs, 200);
    assert.equal(results.settings?.addedLatencyMs['long-polling'], 200);
    assert.equal(results.exportedAt, '2026-11-26T13:05:00.123Z');
    assert.equal(resultsFileName(results, 'csv'), 'transport-lab-2026-11-26T13-05-00Z.csv');
  });

  it('writes CSV that parses back: the header is the columns, one row per transport with the same cells as the JSON', () => {
    const results = example();
    const [header = [], ...rows] = parseCsv(resultsCsv(results));
    assert.deepEqual(header, Object.keys(EXPORT_COLUMNS));
    assert.equal(rows.length, TRANSPORT_NAMES.length);
    for (const [index, row] of rows.entries()) {
      const json = results.rows[index]!;
      for (const [at, column] of header.entries()) {
        const value = (json as Record<string, string | number | boolean | undefined>)[column];
        assert.equal(row[at], value === undefined ? '' : String(value), `${json.transport} ${column}`);
      }
    }
  });

  it('names the figures it shares with `npm run bench -- --csv` as the benchmark does, and only those', () => {
    const benchColumns = new Set(Object.keys(SUMMARY_COLUMNS));
    const shared = Object.keys(EXPORT_COLUMNS).filter((column) => benchColumns.has(column));
    assert.deepEqual(shared, [...SHARED_WITH_BENCH]);
  });
});
