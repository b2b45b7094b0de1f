// The one place the transports ask "may this client do that?": the send rate
// limit, the connection cap per IP and the held-poll cap per IP. Each
// transport only turns the answer into its own wire form.
import type { IncomingMessage } from 'node:http';
import { SendRateLimiter, type SendAdmission } from '../chat/rate-limit.js';
import type { ServerOptions } from '../config.js';

/** Counts open things per IP and refuses beyond a cap. */
class PerIpCounter {
  readonly #counts = new Map<string, number>();
  constructor(readonly cap: number) {}

  get total(): number {
    let total = 0;
    for (const count of this.#counts.values()) total += count;
    return total;
  }

  /** Returns the release function, or undefined when `ip` is at the cap. Releasing twice is harmless. */
  tryOpen(ip: string): (() => void) | undefined {
    const count = this.#counts.get(ip) ?? 0;
    if (count >= this.cap) return undefined;
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

export class Guard {
  readonly #sendLimiter: SendRateLimiter | undefined;
  /** WebSocket and Socket.IO connections. */
  readonly connections: PerIpCounter;
  readonly heldPolls: PerIpCounter;

  /** `lifted` says when the send limit is off for now (the presenter's switch). */
  constructor(
    options: ServerOptions,
    private readonly lifted: () => boolean = () => false,
  ) {
    this.#sendLimiter = options.rateLimit
      ? new SendRateLimiter({
          perClient: { ratePerSec: options.sendRatePerClient, burst: options.sendBurstPerClient },
          perIp: { ratePerSec: options.sendRatePerIp, burst: options.sendBurstPerIp },
        })
      : undefined;
    this.connections = new PerIpCounter(options.maxConnectionsPerIp);
    this.heldPolls = new PerIpCounter(options.longPollMaxHeldPerIp);
  }

  /**
   * One send. `clientKey` names the sender (a connection, or the HTTP
   * client id); it is namespaced by the caller so keys of different kinds never meet.
   */
  admitSend(clientKey: string, ip: string): SendAdmission {
    if (!this.#sendLimiter || this.lifted()) return { ok: true };
    return this.#sendLimiter.admit(clientKey, ip);
  }
}
