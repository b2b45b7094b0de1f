// The one place the transports ask "may this client do that?": the send rate
// limit, the connection caps per IP (TCP, sockets), the held-poll cap per IP
// and the catch-up byte budget. Each transport only turns the answer into its
// own wire form.
import type { IncomingMessage } from 'node:http';
import type { Message } from '../chat/message.js';
import { SendRateLimiter, TokenBuckets, type SendAdmission, type SendLimiter, type SendLimits } from '../chat/rate-limit.js';
import type { ServerOptions } from '../config.js';

/** Counts open things per IP and refuses beyond a cap. */
export class PerIpCounter {
  readonly #counts = new Map<string, number>();
  /** Refusals so far (for the attack run and the logs). */
  refused = 0;
  constructor(readonly cap: number) {}

  count(ip: string): number {
    return this.#counts.get(ip) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const count of this.#counts.values()) total += count;
    return total;
  }

  /** Returns the release function, or undefined when `ip` is at the cap. Releasing twice is harmless. */
  tryOpen(ip: string): (() => void) | undefined {
    const count = this.#counts.get(ip) ?? 0;
    if (count >= this.cap) {
      this.refused++;
      return undefined;
    }
    this.#counts.set(ip, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#counts.get(ip) ?? 1) - 1;
      if (left > 0) this.#counts.set(ip, left);
      else this.#counts.delete(ip);
    };
  }
}

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** A message counts as catch-up (not live) once it is this old: live polls and pushes carry fresher ones. */
export const CATCHUP_AGE_MS = 30_000;

/** About what a message costs on the wire as JSON (without escaping), cheap to compute. */
export function approxMessageBytes(message: Message): number {
  return 90 + message.clientMsgId.length + message.author.length + message.text.length + message.via.length;
}

const ADMITTED: SendAdmission = { ok: true };

export type CatchupAdmission = { ok: true } | { ok: false; retryAfterMs: number };
const CATCHUP_ADMITTED: CatchupAdmission = { ok: true };

/** The send limits the options set. */
export function sendLimits(options: ServerOptions): SendLimits {
  return {
    perClient: { ratePerSec: options.sendRatePerClient, burst: options.sendBurstPerClient },
    perIp: { ratePerSec: options.sendRatePerIp, burst: options.sendBurstPerIp },
    newClientsPerIp: { ratePerSec: options.newClientRatePerIp, burst: options.newClientBurstPerIp },
  };
}

export class Guard {
  readonly #sendLimiter: SendLimiter | undefined;
  readonly #catchupBytes: TokenBuckets;
  /** WebSocket and Socket.IO connections. */
  readonly connections: PerIpCounter;
  readonly heldPolls: PerIpCounter;
  /** Every TCP connection to the server. */
  readonly tcp: PerIpCounter;
  /** Engine.IO sessions (Socket.IO clients from their handshake on, joined to a namespace or not). */
  readonly engineSessions: PerIpCounter;
  /** Catch-up replies refused for the budget, and sends refused by the rate limit (for tests and the attack run). */
  catchupRefused = 0;
  sendsRefused = 0;

  /**
   * `lifted` says when the send limit is off for now (the presenter's switch);
   * `sendLimiter` meters sends (a cluster's shared one), else one in this process does.
   */
  constructor(
    options: ServerOptions,
    private readonly lifted: () => boolean = () => false,
    sendLimiter?: SendLimiter,
  ) {
    this.#sendLimiter = options.rateLimit ? (sendLimiter ?? new SendRateLimiter(sendLimits(options))) : undefined;
    this.#catchupBytes = new TokenBuckets({ ratePerSec: options.catchupBytesPerSecPerIp, burst: options.catchupBurstBytesPerIp });
    this.connections = new PerIpCounter(options.maxConnectionsPerIp);
    this.heldPolls = new PerIpCounter(options.longPollMaxHeldPerIp);
    this.tcp = new PerIpCounter(options.maxTcpConnectionsPerIp);
    this.engineSessions = new PerIpCounter(options.maxConnectionsPerIp);
  }

  /**
   * Charges the catch-up part of `messages` (those older than CATCHUP_AGE_MS)
   * to `ip`'s byte budget: all of it, or nothing when the budget is short.
   * `ip` may be the request it is read from, only when something is charged
   * (the usual live poll carries no catch-up).
   */
  admitCatchup(ip: string | IncomingMessage, messages: readonly Message[], now = Date.now()): CatchupAdmission {
    let bytes = 0;
    for (const message of messages) if (now - message.at > CATCHUP_AGE_MS) bytes += approxMessageBytes(message);
    if (bytes === 0) return CATCHUP_ADMITTED;
    if (typeof ip !== 'string') ip = clientIp(ip);
    // A reply bigger than the whole burst would never pass: it only has to find the bucket full.
    const needed = Math.min(bytes, this.#catchupBytes.spec.burst);
    const retryAfterMs = this.#catchupBytes.waitMs(ip, needed);
    if (retryAfterMs > 0) {
      this.catchupRefused++;
      return { ok: false, retryAfterMs };
    }
    this.#catchupBytes.take(ip, bytes);
    return CATCHUP_ADMITTED;
  }

  /**
   * One send. `clientKey` names the sender (a connection, or the HTTP
   * client id); it is namespaced by the caller so keys of different kinds never meet.
   * Answers at once unless the limiter is shared (a promise then, which
   * rejects with RoomUnavailableError while it cannot reach Redis).
   */
  admitSend(clientKey: string, ip: string): SendAdmission | Promise<SendAdmission> {
    if (!this.#sendLimiter || this.lifted()) return ADMITTED;
    const admission = this.#sendLimiter.admit(clientKey, ip);
    return admission instanceof Promise ? admission.then(this.#counted) : this.#counted(admission);
  }

  readonly #counted = (admission: SendAdmission): SendAdmission => {
    if (!admission.ok) this.sendsRefused++;
    return admission;
  };
}
