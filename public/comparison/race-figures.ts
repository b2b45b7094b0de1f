// The request race's figures, as text.
import type { TrafficCounters } from '../../src/client/transport.js';

export function formatBytes(bytes: number): string {
  if (bytes < 10_000) return `${bytes} B`;
  if (bytes < 10_000_000) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Requests per delivered message: "–" before the first message. */
export function requestsPerMessage(traffic: TrafficCounters): string {
  if (traffic.messagesIn === 0) return '–';
  const ratio = traffic.requests / traffic.messagesIn;
  return ratio < 10 ? ratio.toFixed(1) : String(Math.round(ratio));
}
