// The server's wire stats per transport, as a table (see docs/protocol.md, GET /api/stats).
import { html } from 'lit';
import { DISPLAY_NAMES, TRANSPORT_NAMES } from '../../src/chat/transports.js';
import type { StatsView } from './lab-api.js';

const percent = (share: number | null): string => (share === null ? '–' : `${Math.round(share * 100)} %`);
/** One decimal: a room of phones costs the server a few % of a core, which whole percents would show as 0-5. */
const cpuPercent = (share: number): string => `${(share * 100).toFixed(1)} %`;
const bytesPerSec = (bytes: number): string => (bytes < 10_000 ? `${bytes} B/s` : `${(bytes / 1024).toFixed(1)} KiB/s`);

export function renderStatsTable(stats: StatsView | undefined): unknown {
  if (!stats) return html`<p>Waiting for the server's stats…</p>`;
  // Several nodes sharing the room through Redis: the figures are the cluster's (their sum).
  const nodes = stats.nodes.length > 1 ? `${stats.nodes.length} nodes (${stats.nodes.map((node) => node.nodeId).join(', ')}), ` : '';
  return html`<table class="server-stats" aria-label="Server stats">
    <caption>
      Server side, ${nodes}last ${(stats.intervalMs / 1000).toFixed(1)} s · server CPU
      <span data-stat="server-cpu">${cpuPercent(stats.cpuShare)}</span>
      of one core
    </caption>
    <thead>
      <tr>
        <th scope="col">Transport</th>
        <th scope="col">participants</th>
        <th scope="col">open / held</th>
        <th scope="col">HTTP req/s</th>
        <th scope="col">empty polls</th>
        <th scope="col">msgs/s sent</th>
        <th scope="col">bytes in/s</th>
        <th scope="col">bytes out/s</th>
        <th scope="col">of which payload</th>
      </tr>
    </thead>
    <tbody>
      ${TRANSPORT_NAMES.map((name) => {
        const figures = stats.transports[name];
        // Payload is counted when sent, wire bytes when the socket took them: clamp the odd overshoot.
        // No payload counted (Socket.IO's engine writes its own) shows as unknown, not 0 %.
        const measured = figures.wireBytesOutPerSec > 0 && figures.payloadBytesOutPerSec > 0;
        const payloadShare = measured ? Math.min(1, figures.payloadBytesOutPerSec / figures.wireBytesOutPerSec) : null;
        return html`<tr data-transport=${name}>
          <th scope="row">${DISPLAY_NAMES[name]}</th>
          <td>${figures.participants}</td>
          <td>${figures.connections}${figures.heldPolls ? ` / ${figures.heldPolls}` : ''}</td>
          <td>${figures.requestsPerSec}</td>
          <td>${percent(figures.emptyPollShare)}</td>
          <td>${figures.messagesPerSec}</td>
          <td>${bytesPerSec(figures.wireBytesInPerSec)}</td>
          <td>${bytesPerSec(figures.wireBytesOutPerSec)}</td>
          <td>${percent(payloadShare)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}
