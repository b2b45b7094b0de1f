// The load generator's clients: N real client transports (src/client), the
// ones the page runs, connected to one server; client 0 also sends.
import type { TransportName } from '../src/chat/transports.js';
import { clientTransports, type ClientTransport } from '../src/client/index.js';
import type { EventSourceConstructor, FetchFunction } from '../src/client/transport.js';
import { NODE_GLOBALS } from '../src/client/node.js';
import { Ledger, type ReceiverTally } from './ledger.js';
import { sleep } from './meter.js';

export interface CrowdOptions {
  transport: TransportName;
  baseUrl: string;
  /** Short polling's interval T. */
  intervalMs: number;
  /** The HTTP transports' fetch (see http-clients.ts); Node's global fetch if absent. */
  fetch?: FetchFunction;
  /** The SSE stream's EventSource (see event-source.ts); the `eventsource` package if absent. */
  EventSource?: EventSourceConstructor;
  /** How many clients may be connecting at once. */
  batch?: number;
  onProgress?: (connected: number, target: number) => void;
}

const CONNECT_TIMEOUT_MS = 60_000;

export class Crowd {
  readonly clients: ClientTransport[] = [];
  #ledger = new Ledger();
  #tallies: ReceiverTally[] = [];

  constructor(readonly options: CrowdOptions) {}

  get size(): number {
    return this.clients.length;
  }

  get sender(): ClientTransport {
    return this.clients[0]!;
  }

  /** A fresh ledger for the next phase: every client is one of its receivers. */
  newLedger(): Ledger {
    this.#ledger = new Ledger();
    this.#tallies = this.clients.map(() => this.#ledger.addReceiver());
    return this.#ledger;
  }

  /**
   * Connects clients until there are `target`, each synced (its welcome or
   * first poll answered), at most `batch` at once. `spreadMs` spaces the
   * starts evenly over that time (short polling: so poll phases are uniform
   * over the interval, as with real people joining).
   */
  async growTo(target: number, spreadMs = 0): Promise<void> {
    const batch = this.options.batch ?? 200;
    const adding = target - this.clients.length;
    const startedAt = performance.now();
    const pending = new Set<Promise<void>>();
    let failure: Error | undefined;
    for (let index = 0; index < adding && !failure; index++) {
      const wait = startedAt + (index * spreadMs) / adding - performance.now();
      if (wait > 0) await sleep(wait);
      const connecting: Promise<void> = this.#connectOne()
        .catch((error: Error) => void (failure ??= error))
        .finally(() => {
          pending.delete(connecting);
          this.options.onProgress?.(this.clients.length - pending.size, target);
        });
      pending.add(connecting);
      if (pending.size >= batch) await Promise.race(pending);
    }
    await Promise.all(pending);
    if (failure) throw failure;
  }

  disconnect(): void {
    for (const client of this.clients) client.disconnect();
  }

  async #connectOne(): Promise<void> {
    const { transport, baseUrl, intervalMs, fetch, EventSource } = this.options;
    const client = clientTransports[transport]({
      baseUrl,
      ...NODE_GLOBALS,
      intervalMs,
      ...(fetch && { fetch }),
      ...(EventSource && { EventSource }),
    });
    const slot = this.clients.length;
    this.clients.push(client);
    client.on('message', (message) => {
      const tally = this.#tallies[slot];
      if (tally) this.#ledger.record(tally, message);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `${transport} client ${slot} did not connect within ${CONNECT_TIMEOUT_MS / 1000} s (${client.status}: ${client.detail})`,
          ),
        );
      }, CONNECT_TIMEOUT_MS);
      const off = client.on('sync', () => {
        clearTimeout(timer);
        off();
        resolve();
      });
      client.connect();
    });
  }
}
