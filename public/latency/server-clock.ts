// The server's clock as seen from this page, matched by this page's own
// messages: one sent at local time S that came back at R carries the server's
// receive time `at`, so the offset (server minus local) lies in [at - R, at - S].
// Intersecting those intervals over every own message narrows it to about the
// shortest round trip. With it, any message in the room (other people's too)
// can be timed from the server receiving it to its arrival here.

export class ServerClock {
  #low = -Infinity;
  #high = Infinity;

  /** An own message: sent at `sentAt`, back at `arrivedAt` (both local epoch ms), stamped `at` by the server. */
  observe(sentAt: number, at: number, arrivedAt: number): void {
    const low = at - arrivedAt;
    const high = at - sentAt;
    if (low > this.#high || high < this.#low) {
      // Out of the known interval: a clock was set, or another server node answered. Start over from this one.
      this.#low = low;
      this.#high = high;
    } else {
      this.#low = Math.max(this.#low, low);
      this.#high = Math.min(this.#high, high);
    }
  }

  /** Server minus local, ms, and how far off it may be (half the interval); undefined before the first own message. */
  get offset(): { ms: number; uncertaintyMs: number } | undefined {
    if (!Number.isFinite(this.#low) || !Number.isFinite(this.#high)) return undefined;
    return { ms: (this.#low + this.#high) / 2, uncertaintyMs: (this.#high - this.#low) / 2 };
  }

  /** ms from the server receiving a message (its `at`) to `arrivedAt` here; undefined before the clocks are matched. */
  sinceServer(at: number, arrivedAt: number): number | undefined {
    const offset = this.offset;
    return offset && Math.max(0, arrivedAt - (at - offset.ms));
  }
}
