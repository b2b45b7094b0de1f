// The session's figures as a class can keep them: one row per transport
// (this page's latency and traffic since Reset, the server's counts), the lab
// settings in force, the time and the server. Written as JSON and as CSV with
// the same rows; columns that hold the same figure as `npm run bench -- --csv`
// carry the same name (see SHARED_WITH_BENCH). Pure: figures in, rows out.
import { toCsv } from '../../bench/csv.js';
import { TRANSPORT_NAMES, type TransportName } from '../../src/chat/transports.js';
import type { TrafficCounters } from '../../src/client/transport.js';
import type { LabSettings } from '../../src/lab/settings.js';
import type { StatsSample } from '../../src/lab/stats.js';

/** The columns, in order, each with what it holds (docs/page.md lists them too). */
export const EXPORT_COLUMNS = {
  transport: 'transport name',
  exportedAt: 'when the results were saved (ISO 8601, UTC)',
  server: 'the server the page talked to (its URL)',
  nodeId: 'the server node that answered',
  timedOn: 'which messages each pane timed: own (its own round trips) or any (every message this page sent)',
  latencySamples: 'messages timed by this pane since Reset',
  p50Ms: 'latency percentiles, send to arrival, ms (this pane, since Reset)',
  p95Ms: '',
  p99Ms: '',
  maxMs: '',
  expectedMs: 'the expected latency shown beside them, ms',
  requests: 'HTTP requests this pane made since Reset',
  emptyPolls: 'polls answered with no message',
  messagesIn: 'messages this pane received',
  messagesOut: 'messages this pane sent',
  bytesIn: 'payload bytes this pane received (bodies and frames, not headers)',
  bytesOut: 'payload bytes this pane sent',
  requestsPerDelivery: 'requests ÷ messages received',
  participants: 'the server: distinct clients seen on this transport lately (the last 15 s by default)',
  serverRequests: 'the server: HTTP requests on this transport since it started (whole room)',
  serverMessages: 'the server: messages sent over this transport since it started',
  wireBytes: 'the server: bytes read + written on this transport since it started (headers and framing included)',
  intervalMs: 'short polling: the poll interval in force',
  waitMs: 'long polling: the hold time in force',
  socketioMode: 'Socket.IO: auto, websocket or polling',
  addedLatencyMs: 'lab: latency added each way on this transport, ms',
  jitterMs: 'lab: jitter on this transport, ms',
  blockWebSocket: 'lab: the "corporate proxy" was on',
  liftRateLimit: 'lab: the send rate limit was lifted',
} as const;

export type ExportColumn = keyof typeof EXPORT_COLUMNS;
export type ExportRow = { transport: TransportName } & Partial<Record<ExportColumn, string | number | boolean>>;

/** Columns that hold the same figure as the benchmark's CSV column of that name. */
export const SHARED_WITH_BENCH: readonly ExportColumn[] = [
  'transport',
  'p50Ms',
  'p95Ms',
  'p99Ms',
  'maxMs',
  'requests',
  'requestsPerDelivery',
  'wireBytes',
];

/** What the page knows of one pane. */
export interface PaneFigures {
  latency: { count: number; max: number; percentile(p: number): number | undefined };
  expectedMs: number | undefined;
  traffic: TrafficCounters;
  intervalMs?: number | undefined;
  waitMs?: number | undefined;
  socketioMode?: string | undefined;
}

export interface ResultsInput {
  exportedAt: Date;
  server: string;
  nodeId: string | undefined;
  timedOn: string;
  settings: LabSettings | undefined;
  stats: StatsSample | undefined;
  /** The panes this page runs (the audience view runs one). */
  panes: Partial<Record<TransportName, PaneFigures>>;
}

export interface SessionResults {
  exportedAt: string;
  server: string;
  nodeId: string | undefined;
  timedOn: string;
  /** The lab settings in force, as `GET /api/lab` gives them. */
  settings: LabSettings | undefined;
  /** One per transport, registry order; page figures empty for a transport this page does not run. */
  rows: ExportRow[];
}

/** ms to one decimal (what the panes show), or absent. */
const ms = (value: number | undefined): number | undefined => (value === undefined ? undefined : Math.round(value * 10) / 10);

export function sessionResults(input: ResultsInput): SessionResults {
  const exportedAt = input.exportedAt.toISOString();
  const { settings } = input;
  const rows = TRANSPORT_NAMES.map((transport): ExportRow => {
    const pane = input.panes[transport];
    const server = input.stats?.transports[transport];
    const traffic = pane?.traffic;
    return {
      transport,
      exportedAt,
      server: input.server,
      ...(input.nodeId !== undefined && { nodeId: input.nodeId }),
      timedOn: input.timedOn,
      ...(pane && {
        latencySamples: pane.latency.count,
        p50Ms: ms(pane.latency.percentile(50)),
        p95Ms: ms(pane.latency.percentile(95)),
        p99Ms: ms(pane.latency.percentile(99)),
        maxMs: pane.latency.count > 0 ? ms(pane.latency.max) : undefined,
        expectedMs: ms(pane.expectedMs),
      }),
      ...(traffic && {
        requests: traffic.requests,
        emptyPolls: traffic.emptyPolls,
        messagesIn: traffic.messagesIn,
        messagesOut: traffic.messagesOut,
        bytesIn: traffic.bytesIn,
        bytesOut: traffic.bytesOut,
        ...(traffic.messagesIn > 0 && { requestsPerDelivery: Number((traffic.requests / traffic.messagesIn).toFixed(2)) }),
      }),
      ...(server && {
        participants: server.participants,
        serverRequests: server.totals.requests,
        serverMessages: server.totals.messages,
        wireBytes: server.totals.wireBytesIn + server.totals.wireBytesOut,
      }),
      ...(pane?.intervalMs !== undefined && { intervalMs: pane.intervalMs }),
      ...(pane?.waitMs !== undefined && { waitMs: pane.waitMs }),
      ...(pane?.socketioMode !== undefined && { socketioMode: pane.socketioMode }),
      ...(settings && {
        addedLatencyMs: settings.addedLatencyMs[transport],
        jitterMs: settings.jitterMs[transport],
        blockWebSocket: settings.blockWebSocket,
        liftRateLimit: settings.liftRateLimit,
      }),
    };
  });
  return { exportedAt, server: input.server, nodeId: input.nodeId, timedOn: input.timedOn, settings, rows };
}

/** RFC 4180 CSV, a header row then one row per transport (undefined fields are empty cells). */
export function resultsCsv(results: SessionResults): string {
  return toCsv(Object.keys(EXPORT_COLUMNS), results.rows);
}

/** `transport-lab-2026-11-26T13-05-00Z.json`: sortable, no characters a file system dislikes. */
export function resultsFileName(results: SessionResults, extension: 'json' | 'csv'): string {
  return `transport-lab-${results.exportedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.${extension}`;
}
