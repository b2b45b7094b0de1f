// The page's one clock: when each message was sent, and by which pane, so
// every pane measures `arrival - send` against the same origin (and can tell
// its own round trips from other panes' messages). It also keeps each
// transport's recent round trips (send -> ack, and requests answered at once)
// for the expected figures.
import type { TransportName } from '../../src/chat/transports.js';

/** Sent times kept for latency look-ups; older ones are dropped first. */
const MAX_TRACKED_SENDS = 5000;
/** Round trips kept per transport: few, so a change (added latency) shows within a few seconds. */
const MAX_ROUND_TRIPS = 5;

export interface SentTiming {
  ms: number;
  /** The transport that sent it. */
  sender: TransportName;
}

export class SendClock {
  #sent = new Map<string, { at: number; sender: TransportName }>();
  #roundTrips = new Map<TransportName, number[]>();

  /** Notes that `clientMsgId` leaves now over `sender`; returns the send time. */
  markSent(clientMsgId: string, sender: TransportName): number {
    const now = performance.now();
    this.#sent.set(clientMsgId, { at: now, sender });
    if (this.#sent.size > MAX_TRACKED_SENDS) {
      // A Map iterates in insertion order: the first key is the oldest send.
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
    return now;
  }

  /** ms from send to now and who sent it, or undefined for a message this page did not send. */
  timingOf(clientMsgId: string): SentTiming | undefined {
    const sent = this.#sent.get(clientMsgId);
    return sent && { ms: performance.now() - sent.at, sender: sent.sender };
  }

  /** One round trip to the server over `transport` (a send's ack, a request answered at once). */
  recordRoundTrip(transport: TransportName, ms: number): void {
    const recent = this.#roundTrips.get(transport) ?? [];
    recent.push(ms);
    if (recent.length > MAX_ROUND_TRIPS) recent.shift();
    this.#roundTrips.set(transport, recent);
  }

  /** Median of the transport's last few round trips, or undefined before the first. */
  roundTripMs(transport: TransportName): number | undefined {
    const recent = this.#roundTrips.get(transport);
    if (!recent?.length) return undefined;
    const sorted = [...recent].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}
