// Long polling: the server holds each poll until there is news; ask again at once.
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
    return { wait: String(this.waitMs), client: this.clientId };
  }

  protected async pauseAfterPoll(): Promise<void> {}
}
