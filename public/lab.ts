// What the whole page shares: the server's defaults, the one send clock, the
// nickname, and the live pane controllers (for auto-send and reset).
import type { TransportName } from '../src/chat/transports.js';
import type { TransportController } from './controllers/transport-controller.js';
import { SendClock } from './latency/send-clock.js';

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
  /** Registry order, as the panes connect. */
  readonly controllers = new Map<TransportName, TransportController>();

  constructor(
    readonly config: ServerConfig,
    readonly baseUrl: string,
    public nickname: string,
  ) {}

  resetStats(): void {
    for (const controller of this.controllers.values()) controller.resetStats();
  }
}
