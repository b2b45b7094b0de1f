// Send rate limiting: a token bucket per client under a ceiling per IP address
// (a whole workshop room often shares one Wi-Fi address), made fair among the
// clients of one address. Without the fairness, one laptop inventing client ids
// (a new `client=` per request, a reconnect after each close) took the whole
// IP budget and its neighbours' sends were refused.
//
// - New client ids per IP are themselves rate-limited (a token per new id).
// - The IP bucket is shared max-min fairly: a client sending at less than its
//   fair share (the IP rate / the IP's active clients) may use the whole
//   bucket; one above it only the part above a reserve (half the IP burst).
//   The refill thus goes to the light senders first. A new id starts at the
//   per-client rate, so a fresh id is never "light" until it proves it.
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

  /** Tokens `key` has now (refilled). */
  tokens(key: string): number {
    return this.#refill(key).tokens;
  }

  /** ms until `key` has `needed` whole tokens (0 = it has them now). Takes nothing. */
  waitMs(key: string, needed = 1): number {
    const tokens = this.#refill(key).tokens;
    return tokens >= needed ? 0 : Math.ceil(((needed - tokens) / this.spec.ratePerSec) * 1000);
  }

  take(key: string, amount = 1): void {
    this.#refill(key).tokens -= amount;
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

/** Meters sends: `SendRateLimiter` in this process, `RedisSendLimiter` (src/cluster/) for every node sharing a Redis. */
export interface SendLimiter {
  /** One send by `clientKey` from `ip`: takes its tokens, or none. */
  admit(clientKey: string, ip: string): SendAdmission | Promise<SendAdmission>;
}

export interface SendLimits {
  perClient: BucketSpec;
  perIp: BucketSpec;
  /** New client ids per IP. */
  newClientsPerIp: BucketSpec;
}

/** A client counts as active (sharing its IP's budget) this long after its last accepted send. */
export const ACTIVE_WINDOW_MS = 5_000;
/** A client unheard of this long is forgotten (its next send needs a new-client token again): memory stays under burst + rate x this per IP. */
export const FORGET_AFTER_MS = 600_000;
/** Time constant of the per-client send-rate estimate. */
export const RATE_TAU_MS = 3_000;

interface ClientState {
  /** Estimated accepted sends per second (exponentially weighted), at `rateAt`. */
  rate: number;
  rateAt: number;
  seenAt: number;
}

interface IpState {
  clients: Map<string, ClientState>;
  /** Clients seen within ACTIVE_WINDOW_MS, recounted at most once a second. */
  active: number;
  countedAt: number;
}

export function refusal(retryAfterMs: number, persistent: boolean): SendAdmission {
  return { ok: false, retryAfterMs, persistent, error: { code: RATE_LIMITED, message: `too many messages, retry in ${retryAfterMs} ms` } };
}

export class SendRateLimiter implements SendLimiter {
  readonly #perClient: TokenBuckets;
  readonly #perIp: TokenBuckets;
  readonly #newClients: TokenBuckets;
  /** Refusals a client may collect before it counts as persistent; they drain at the client rate. */
  readonly #strikes: TokenBuckets;
  readonly #ips = new Map<string, IpState>();
  #sweptAt: number;

  constructor(
    readonly limits: SendLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.#perClient = new TokenBuckets(limits.perClient, now);
    this.#perIp = new TokenBuckets(limits.perIp, now);
    this.#newClients = new TokenBuckets(limits.newClientsPerIp, now);
    this.#strikes = new TokenBuckets(limits.perClient, now);
    this.#sweptAt = now();
  }

  /** Clients currently remembered, over all addresses (memory follows the new-client limit). */
  get trackedClients(): number {
    let count = 0;
    for (const ip of this.#ips.values()) count += ip.clients.size;
    return count;
  }

  /** The fair share of one client of `ip` now, in sends per second. */
  fairShare(ip: string): number {
    return this.limits.perIp.ratePerSec / Math.max(1, this.#ipState(ip).active);
  }

  /** One send by `clientKey` from `ip`: takes its tokens, or none. */
  admit(clientKey: string, ip: string): SendAdmission {
    const now = this.now();
    if (now - this.#sweptAt > SWEEP_EVERY_MS) this.#sweep(now);
    const state = this.#ipState(ip);
    const clientId = `${ip} ${clientKey}`;
    const client = state.clients.get(clientKey);
    const rate = client ? client.rate * Math.exp(-(now - client.rateAt) / RATE_TAU_MS) : this.limits.perClient.ratePerSec;
    const light = rate < this.fairShare(ip);
    const ipNeeds = light ? 1 : 1 + this.limits.perIp.burst / 2;
    const retryAfterMs = Math.max(
      client ? 0 : this.#newClients.waitMs(ip),
      this.#perClient.waitMs(clientId),
      this.#perIp.waitMs(ip, ipNeeds),
    );
    if (retryAfterMs === 0) {
      if (!client) this.#newClients.take(ip);
      this.#perClient.take(clientId);
      this.#perIp.take(ip);
      const updated = { rate: rate + 1000 / RATE_TAU_MS, rateAt: now, seenAt: now };
      if (client) Object.assign(client, updated);
      else {
        state.clients.set(clientKey, updated);
        state.active++; // counted at once, so a burst of new ids lowers the fair share at once
      }
      return { ok: true };
    }
    const persistent = this.#strikes.waitMs(clientId) > 0;
    if (!persistent) this.#strikes.take(clientId);
    return refusal(retryAfterMs, persistent);
  }

  #ipState(ip: string): IpState {
    const now = this.now();
    let state = this.#ips.get(ip);
    if (!state) {
      state = { clients: new Map(), active: 0, countedAt: now };
      this.#ips.set(ip, state);
    }
    if (now - state.countedAt >= 1000) {
      state.countedAt = now;
      state.active = 0;
      for (const client of state.clients.values()) if (now - client.seenAt <= ACTIVE_WINDOW_MS) state.active++;
    }
    return state;
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [ip, state] of this.#ips) {
      for (const [key, client] of state.clients) if (now - client.seenAt > FORGET_AFTER_MS) state.clients.delete(key);
      if (state.clients.size === 0) this.#ips.delete(ip);
    }
  }
}
