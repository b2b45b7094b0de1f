// The page's one clock: when each message was sent, by whichever pane, so
// every pane measures `arrival - send` against the same origin. It also keeps
// each transport's recent round trips (send -> ack) for the expected figures.
import type { TransportName } from '../../src/chat/transports.js';

/** Sent times kept for latency look-ups; older ones are dropped first. */
const MAX_TRACKED_SENDS = 5000;
/** Round trips kept per transport. */
const MAX_ROUND_TRIPS = 25;

export class SendClock {
  #sentAt = new Map<string, number>();
  #roundTrips = new Map<TransportName, number[]>();

  /** Notes that `clientMsgId` leaves now; returns the send time. */
  markSent(clientMsgId: string): number {
    const now = performance.now();
    this.#sentAt.set(clientMsgId, now);
    if (this.#sentAt.size > MAX_TRACKED_SENDS) {
      // A Map iterates in insertion order: the first key is the oldest send.
      const oldest = this.#sentAt.keys().next().value;
      if (oldest !== undefined) this.#sentAt.delete(oldest);
    }
    return now;
  }

  /** ms from send to now, or undefined for a message this page did not send. */
  latencyOf(clientMsgId: string): number | undefined {
    const sentAt = this.#sentAt.get(clientMsgId);
    return sentAt === undefined ? undefined : performance.now() - sentAt;
  }

  /** A send's time to its acknowledgement over `transport`: one round trip to the server. */
  recordRoundTrip(transport: TransportName, ms: number): void {
    const recent = this.#roundTrips.get(transport) ?? [];
    recent.push(ms);
    if (recent.length > MAX_ROUND_TRIPS) recent.shift();
    this.#roundTrips.set(transport, recent);
  }

  /** Median of the transport's recent round trips, or undefined before its first send. */
  roundTripMs(transport: TransportName): number | undefined {
    const recent = this.#roundTrips.get(transport);
    if (!recent?.length) return undefined;
    const sorted = [...recent].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}
