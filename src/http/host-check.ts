// DNS rebinding guard: a page on evil.example whose name is re-pointed at
// this server would be same-origin with it and could drive the chat and the
// lab. Such requests carry `Host: evil.example`; only names this server is
// really reached by are accepted: localhost, the machine's own addresses, and
// the names the presenter configures (--allowed-host).
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];
const MAX_REMEMBERED_HEADERS = 256;

/** The host name of a Host header, lower-cased, without port or IPv6 brackets; undefined if malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/i.exec(header.trim());
  const name = match?.[1] ?? match?.[2];
  return name?.toLowerCase().replace(/\.$/, '');
}

/** Decides on Host headers; the machine's addresses are read once (and again on a miss, for a new Wi-Fi). */
export class HostCheck {
  #own = new Set<string>();
  #readAt = 0;
  /** Host headers allowed by the current #own, as sent (every request of a client repeats the same one). */
  readonly #allowedHeaders = new Set<string>();

  constructor(private readonly extra: readonly string[] = []) {
    this.#readOwn();
  }

  allows(req: IncomingMessage): boolean {
    const header = req.headers.host;
    if (header !== undefined && this.#allowedHeaders.has(header)) return true;
    const allowed = this.#allowsName(hostName(header));
    // Bounded: a client can vary the port it names.
    if (allowed && header !== undefined && this.#allowedHeaders.size < MAX_REMEMBERED_HEADERS) this.#allowedHeaders.add(header);
    return allowed;
  }

  #allowsName(name: string | undefined): boolean {
    if (name === undefined) return false;
    if (this.#known(name)) return true;
    // The laptop may have joined another network since: look again, at most once a second.
    if (Date.now() - this.#readAt > 1000) {
      this.#readOwn();
      return this.#known(name);
    }
    return false;
  }

  #known(name: string): boolean {
    return this.#own.has(name) || name.endsWith('.localhost');
  }

  #readOwn(): void {
    this.#readAt = Date.now();
    this.#allowedHeaders.clear();
    const addresses = Object.values(networkInterfaces())
      .flat()
      .map((address) => address?.address.toLowerCase().split('%')[0]);
    const machine = hostname().toLowerCase();
    this.#own = new Set([
      ...LOCAL_NAMES,
      machine,
      `${machine}.local`,
      ...this.extra.map((name) => name.toLowerCase()),
      ...addresses.filter((a): a is string => !!a),
    ]);
  }
}

export const UNKNOWN_HOST = { code: 'unknown_host', message: 'this server does not answer to that Host name (see --allowed-host)' };
