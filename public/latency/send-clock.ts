// The page's one clock: when each message was sent, by whichever pane, so
// every pane measures `arrival - send` against the same origin.

/** Sent times kept for latency look-ups; older ones are dropped first. */
const MAX_TRACKED_SENDS = 5000;
/** Round trips kept for the "expected" figure. */
const MAX_ROUND_TRIPS = 25;

export class SendClock {
  #sentAt = new Map<string, number>();
  #roundTrips: number[] = [];

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

  /** A send's time to its acknowledgement: one round trip to the server. */
  recordRoundTrip(ms: number): void {
    this.#roundTrips.push(ms);
    if (this.#roundTrips.length > MAX_ROUND_TRIPS) this.#roundTrips.shift();
  }

  /** Median of the recent round trips, or undefined before the first send. */
  get roundTripMs(): number | undefined {
    if (this.#roundTrips.length === 0) return undefined;
    const sorted = [...this.#roundTrips].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}
