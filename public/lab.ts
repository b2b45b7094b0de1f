// What the whole page shares: the server's defaults, the one send clock, the
// nickname, how latency is timed, the wire log of the timeline, and the live
// pane controllers (for auto-send, reset and the comparison view).
import type { TransportName } from '../src/chat/transports.js';
import type { TransportController } from './controllers/transport-controller.js';
import { SendClock } from './latency/send-clock.js';
import { ServerClock } from './latency/server-clock.js';
import { WireLog } from './wire/wire-log.js';

/**
 * Which messages a pane times. `own`: only those it sent itself, so each
 * transport is measured on its own round trip (up and down on that
 * transport); `any`: every message this page sent, from whichever pane, so a
 * slow sender's uplink shows in every pane.
 */
export type MeasureMode = 'own' | 'any';

export const MEASURE_MODES: Record<MeasureMode, { label: string; rule: string }> = {
  own: { label: 'own round trip', rule: 'each transport times the messages it sent itself (up and back down on that transport)' },
  any: {
    label: 'any sender',
    rule: "every transport times every message this page sent, whichever pane sent it (the sender's uplink included)",
  },
};

/** GET /api/config */
export interface ServerConfig {
  epoch: string;
  /** The node that answered; `sharedRoom` says several nodes may serve the room (through Redis). */
  nodeId: string;
  sharedRoom: boolean;
  shortPollIntervalMs: number;
  longPollWaitMs: number;
  longPollMaxWaitMs: number;
  transports: TransportName[];
}

export async function fetchConfig(): Promise<ServerConfig> {
  const response = await fetch('/api/config', { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /api/config answered ${response.status}`);
  return (await response.json()) as ServerConfig;
}

export class Lab {
  readonly clock = new SendClock();
  /** The server's clock, matched by this page's own messages: times anyone's message from the server to here. */
  readonly serverClock = new ServerClock();
  readonly wire = new WireLog<TransportName>();
  measure: MeasureMode = 'own';
  /** Registry order, as the panes connect. */
  readonly controllers = new Map<TransportName, TransportController>();

  constructor(
    readonly config: ServerConfig,
    readonly baseUrl: string,
    public nickname: string,
  ) {}

  /** A new rule: figures timed under the old one would mix, so they start over. */
  setMeasure(mode: MeasureMode): void {
    this.measure = mode;
    this.resetStats();
  }

  resetStats(): void {
    for (const controller of this.controllers.values()) controller.resetStats();
  }

  /** The presenter changed the network (added latency, jitter, the proxy): every pane's latency figures start over. */
  restartFigures(): void {
    for (const controller of this.controllers.values()) controller.restartFigures();
  }
}
