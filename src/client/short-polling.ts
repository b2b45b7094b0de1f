// Short polling: ask every `intervalMs`, whether or not anything happened.
import { sleep } from './base.js';
import { HttpPollingTransport } from './http-polling.js';
import type { ClientTransportOptions } from './transport.js';

export const DEFAULT_INTERVAL_MS = 1000;

export class ShortPollingTransport extends HttpPollingTransport {
  readonly name = 'short-polling';
  /** Time between the starts of two polls; may be changed while running. */
  intervalMs: number;

  constructor(options: ClientTransportOptions) {
    super(options);
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  protected pollParams(): Record<string, string> {
    return {};
  }

  /** Every short poll is answered at once. */
  protected override pollAnswersAtOnce(): boolean {
    return true;
  }

  protected async pauseAfterPoll(startedAt: number): Promise<void> {
    // Fixed rate, not fixed gap: a message waits T/2 on average, T at worst.
    await sleep(Math.max(0, startedAt + this.intervalMs - Date.now()));
  }
}
