// The per-transport knobs under a pane's header: short-poll interval,
// long-poll hold time, Socket.IO mode. Transports without one show nothing.
import { html, nothing, type TemplateResult } from 'lit';
import { LongPollingTransport } from '../src/client/long-polling.js';
import { ShortPollingTransport } from '../src/client/short-polling.js';
import { SocketIoTransport } from '../src/client/socketio.js';
import type { SocketIoMode } from '../src/client/transport.js';
import type { TransportController } from './controllers/transport-controller.js';
import type { ServerConfig } from './lab.js';

const SOCKETIO_MODES: Array<{ mode: SocketIoMode; label: string }> = [
  { mode: 'auto', label: 'auto (polling, then upgrade)' },
  { mode: 'websocket', label: 'WebSocket only' },
  { mode: 'polling', label: 'polling only' },
];

const valueOf = (event: Event): string => (event.target as HTMLInputElement | HTMLSelectElement).value;

export function renderSettings(
  controller: TransportController,
  config: ServerConfig,
  rerender: () => void,
): TemplateResult | typeof nothing {
  const transport = controller.transport;
  if (transport instanceof ShortPollingTransport) {
    return html`<label class="setting"
      >Poll interval
      <input
        type="range"
        min="100"
        max="5000"
        step="100"
        .value=${String(transport.intervalMs)}
        @input=${(event: Event) => {
          transport.intervalMs = Number(valueOf(event));
          rerender();
        }}
      />
      <output>${transport.intervalMs} ms</output></label
    >`;
  }
  if (transport instanceof LongPollingTransport) {
    // Takes effect from the next poll; the one held now keeps its hold time.
    return html`<label class="setting"
      >Hold time
      <input
        type="range"
        min="1000"
        max=${config.longPollMaxWaitMs}
        step="1000"
        .value=${String(transport.waitMs)}
        @input=${(event: Event) => {
          transport.waitMs = Number(valueOf(event));
          rerender();
        }}
      />
      <output>${transport.waitMs / 1000} s</output></label
    >`;
  }
  if (transport instanceof SocketIoTransport) {
    return html`<label class="setting"
      >Mode
      <select @change=${(event: Event) => controller.reconfigure({ socketioMode: valueOf(event) as SocketIoMode })}>
        ${SOCKETIO_MODES.map(({ mode, label }) => html`<option value=${mode} ?selected=${transport.mode === mode}>${label}</option>`)}
      </select></label
    >`;
  }
  return nothing;
}
