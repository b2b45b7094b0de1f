// What each transport should do, to show beside what it does.
import type { ClientTransport } from '../../src/client/index.js';
import { ShortPollingTransport } from '../../src/client/short-polling.js';

export interface Expectation {
  /** ms, or undefined until a round trip has been measured. */
  ms: number | undefined;
  /** How the figure is made, e.g. "T/2 + RTT". */
  rule: string;
}

/**
 * Short polling: a message waits half an interval on average for the next
 * poll, then one round trip. The push transports: about one round trip
 * (half up from the sender, half down to the receiver). The round trip is
 * this pane's own send -> ack time (undefined until it has sent something).
 */
export function expectedLatency(transport: ClientTransport, roundTripMs: number | undefined): Expectation {
  if (transport instanceof ShortPollingTransport) {
    const halfInterval = transport.intervalMs / 2;
    return { ms: halfInterval + (roundTripMs ?? 0), rule: `T/2 + RTT, T = ${transport.intervalMs} ms` };
  }
  return { ms: roundTripMs, rule: '1 RTT' };
}
