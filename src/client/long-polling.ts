// Long polling: the server holds each poll until there is news; ask again at once.
import { sleep } from './base.js';
import { HttpPollingTransport } from './http-polling.js';
import type { ClientTransportOptions } from './transport.js';

export const DEFAULT_WAIT_MS = 25_000;

export class LongPollingTransport extends HttpPollingTransport {
  readonly name = 'long-polling';
  /** How long the server may hold a poll; may be changed while running. */
  waitMs: number;

  constructor(options: ClientTransportOptions) {
    super(options);
    this.waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  }

  protected pollParams(): Record<string, string> {
    return { wait: String(this.waitMs) };
  }

  /**
   * No pause, but one turn of the event loop: Node's fetch (undici) returns
   * the connection that carried the answer to its pool only on the next tick,
   * so a poll sent at once would open a new connection every time.
   */
  protected pauseAfterPoll(): Promise<void> {
    return sleep(0);
  }
}
