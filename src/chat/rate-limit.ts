// Send rate limiting: token buckets keyed per client, under a higher ceiling
// per IP address (a whole workshop room often shares one Wi-Fi address).
import { RATE_LIMITED, type ChatError } from './message.js';

export interface BucketSpec {
  /** Tokens added per second (sustained messages per second). */
  ratePerSec: number;
  /** Bucket size: how many messages may come at once after a quiet spell. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets that are full again are forgotten, so memory follows the active senders only. */
const SWEEP_EVERY_MS = 10_000;

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  #sweptAt: number;

  constructor(
    readonly spec: BucketSpec,
    private readonly now: () => number = Date.now,
  ) {
    this.#sweptAt = now();
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** ms until `key` has a whole token (0 = it has one now). Takes nothing. */
  waitMs(key: string): number {
    const tokens = this.#refill(key).tokens;
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / this.spec.ratePerSec) * 1000);
  }

  take(key: string): void {
    this.#refill(key).tokens -= 1;
  }

  #refill(key: string): Bucket {
    const now = this.now();
    if (now - this.#sweptAt > SWEEP_EVERY_MS) this.#sweep(now);
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.spec.burst, at: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.spec.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.spec.ratePerSec);
    bucket.at = now;
    return bucket;
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.spec.ratePerSec >= this.spec.burst) this.#buckets.delete(key);
    }
  }
}

export type SendAdmission =
  | { ok: true }
  | {
      ok: false;
      error: ChatError;
      retryAfterMs: number;
      /** The client keeps sending into the limit: time to close its connection, where there is one. */
      persistent: boolean;
    };

export interface SendLimits {
  perClient: BucketSpec;
  perIp: BucketSpec;
}

export class SendRateLimiter {
  readonly #perClient: TokenBuckets;
  readonly #perIp: TokenBuckets;
  /** Refusals a client may collect before it counts as persistent; they drain at the client rate. */
  readonly #strikes: TokenBuckets;

  constructor(limits: SendLimits, now: () => number = Date.now) {
    this.#perClient = new TokenBuckets(limits.perClient, now);
    this.#perIp = new TokenBuckets(limits.perIp, now);
    this.#strikes = new TokenBuckets(limits.perClient, now);
  }

  /** One send by `clientKey` from `ip`: takes a token from both buckets, or from neither. */
  admit(clientKey: string, ip: string): SendAdmission {
    const retryAfterMs = Math.max(this.#perClient.waitMs(clientKey), this.#perIp.waitMs(ip));
    if (retryAfterMs === 0) {
      this.#perClient.take(clientKey);
      this.#perIp.take(ip);
      return { ok: true };
    }
    const persistent = this.#strikes.waitMs(clientKey) > 0;
    if (!persistent) this.#strikes.take(clientKey);
    return {
      ok: false,
      retryAfterMs,
      persistent,
      error: { code: RATE_LIMITED, message: `too many messages, retry in ${retryAfterMs} ms` },
    };
  }
}
