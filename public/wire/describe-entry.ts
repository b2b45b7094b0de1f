// One wire entry in words, for the timeline's hover/focus line:
// method or type, what for, status, bytes, duration.
import type { WireEntry } from '../../src/client/transport.js';

function duration(ms: number): string {
  return ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function describeEntry(entry: WireEntry, now: number): string {
  const parts: string[] = [];
  if (entry.kind === 'frame') parts.push(`${entry.direction === 'up' ? '↑ to server' : '↓ to client'}: ${entry.label}`);
  else parts.push(entry.detail ? `${entry.label} ${entry.detail}` : entry.label);
  if (entry.kind === 'mark' && entry.detail) parts[0] = `${entry.label}: ${entry.detail}`;
  if (entry.kind === 'request') {
    parts.push(entry.endAt === undefined ? 'waiting for the answer' : `status ${entry.status ?? '?'}`);
    if (entry.empty) parts.push('empty');
  }
  const bytes = [entry.bytesOut && `${entry.bytesOut} B ↑`, entry.bytesIn && `${entry.bytesIn} B ↓`].filter(Boolean);
  if (bytes.length) parts.push(bytes.join(' '));
  if (entry.kind === 'request') parts.push(`${duration((entry.endAt ?? now) - entry.at)}${entry.endAt === undefined ? ' so far' : ''}`);
  return parts.join(' · ');
}
