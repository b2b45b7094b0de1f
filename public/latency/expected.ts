// What each transport should do, to show beside what it does.
import type { ClientTransport } from '../../src/client/index.js';
import { descriptorOf } from '../../src/chat/transports.js';

export interface Expectation {
  /** ms, or undefined until a round trip has been measured. */
  ms: number | undefined;
  /** How the figure is made, e.g. "T/2 + RTT". */
  rule: string;
}

/**
 * By the transport's rule in the descriptor list. Half an interval: a message
 * waits T/2 on average for the next poll, then one round trip. Round trip:
 * about one (half up from the sender, half down to the receiver). The round
 * trip is this pane's own send -> ack time (undefined until it has sent something).
 */
export function expectedLatency(transport: ClientTransport, roundTripMs: number | undefined): Expectation {
  if (descriptorOf(transport.name).expectedLatency === 'half-interval' && transport.intervalMs !== undefined) {
    return { ms: transport.intervalMs / 2 + (roundTripMs ?? 0), rule: `T/2 + RTT, T = ${transport.intervalMs} ms` };
  }
  return { ms: roundTripMs, rule: '1 RTT' };
}
