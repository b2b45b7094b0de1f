// One row per transport, with plain column names: the headline table, the
// CSV (`--csv`) and the page's export share these names where the figures
// are the same. Pure: report in, rows out.
import type { BenchReport } from './report.js';

/** ours / bare, two digits; 0 when bare is 0 (nothing measured). */
export const ratio = (ours: number, bare: number): number => (bare > 0 ? Number((ours / bare).toFixed(2)) : 0);

/** The columns, in order, each with what it holds (docs/benchmarks.md lists them too). */
export const SUMMARY_COLUMNS = {
  transport: 'transport name',
  clients: 'fixed-rate clients',
  sent: 'messages sent in the fixed-rate window',
  delivered: 'deliveries counted (every client receives every message)',
  lost: 'deliveries missing after the drain',
  duplicated: 'deliveries seen twice',
  reordered: 'deliveries out of id order',
  p50Ms: 'latency percentiles, send to arrival, ms',
  p95Ms: '',
  p99Ms: '',
  maxMs: '',
  requests: 'HTTP requests the server saw in the window',
  wireBytes: 'bytes read + written by the server in the window (headers and framing included)',
  requestsPerDelivery: '',
  wireBytesPerDelivery: '',
  serverCpuUsPerDelivery: 'server CPU (user + system) per delivery, µs',
  rssBytesPerClient: 'server RSS per connected client, bytes',
  maxClients: 'capacity sweep: most clients with p95 < 500 ms (full runs only)',
  clientBound: 'the load generator used > 80% of its core in the fixed-rate window',
  bareP50Ms: 'the bare baseline under the same fixed-rate plan: p50',
  p50OverBare: 'ours / bare, fixed rate: p50',
  deliveriesPerCpuSecondOverBare: 'ours / bare, fixed rate: deliveries per server CPU-second (target >= 0.8)',
  wireBytesPerDeliveryOverBare: 'ours / bare, fixed rate: wire bytes per delivery (target <= 1.3)',
  saturationDeliveriesPerSecOverBare: 'ours / bare, saturation (best of the rounds): deliveries per second',
  saturationDeliveriesPerCpuSecondOverBare: 'ours / bare, saturation: deliveries per server CPU-second',
  saturationWireBytesPerDeliveryOverBare: 'ours / bare, saturation: wire bytes per delivery',
} as const;

export type SummaryColumn = keyof typeof SUMMARY_COLUMNS;
export type SummaryRow = { transport: string } & Partial<Record<SummaryColumn, number | string | boolean>>;

export function summaryRows(report: BenchReport): SummaryRow[] {
  const transports = [
    ...new Set([
      ...report.results.map((row) => row.transport),
      ...report.baselines.map((row) => row.comparesTo),
      ...report.capacity.map((row) => row.transport),
    ]),
  ];
  return transports.map((transport) => {
    const fixed = report.results.find((row) => row.transport === transport);
    const baseline = report.baselines.find((row) => row.comparesTo === transport);
    const capacity = report.capacity.find((row) => row.transport === transport);
    return {
      transport,
      ...(fixed && {
        clients: fixed.clients,
        sent: fixed.expected / Math.max(1, fixed.clients),
        delivered: fixed.delivered,
        lost: fixed.lost,
        duplicated: fixed.duplicated,
        reordered: fixed.reordered,
        p50Ms: fixed.latencyMs.p50,
        p95Ms: fixed.latencyMs.p95,
        p99Ms: fixed.latencyMs.p99,
        maxMs: fixed.latencyMs.max,
        requests: fixed.requests,
        wireBytes: fixed.wireBytes,
        requestsPerDelivery: fixed.httpRequestsPerDelivery,
        wireBytesPerDelivery: fixed.wireBytesPerDelivery,
        serverCpuUsPerDelivery: fixed.serverCpuUsPerDelivery,
        rssBytesPerClient: fixed.rssBytesPerClient,
      }),
      ...(capacity && { maxClients: capacity.maxClientsP95Under500ms }),
      ...(fixed && { clientBound: fixed.clientBound }),
      ...(fixed?.bare && {
        bareP50Ms: fixed.bare.latencyMs.p50,
        p50OverBare: fixed.bare.oursOverBare.p50,
        // Per CPU-second is the inverse of CPU per delivery: bare's CPU per delivery over ours.
        deliveriesPerCpuSecondOverBare: ratio(fixed.bare.serverCpuUsPerDelivery, fixed.serverCpuUsPerDelivery),
        wireBytesPerDeliveryOverBare: fixed.bare.oursOverBare.wireBytesPerDelivery,
      }),
      ...(baseline && {
        saturationDeliveriesPerSecOverBare: baseline.oursOverBare,
        saturationDeliveriesPerCpuSecondOverBare: baseline.oursOverBarePerCpuSecond,
        saturationWireBytesPerDeliveryOverBare: baseline.oursOverBareWireBytes,
      }),
    };
  });
}
