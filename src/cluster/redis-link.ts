// A node's connections to Redis for everything it shares besides the room
// (the lab, send rate limits, stats, presence): one for commands, one
// subscribed to the node's channels. Both reconnect by themselves; the
// subscriptions are renewed on reconnect, and `onReconnect` listeners re-read
// what they may have missed meanwhile.
import { createClient } from 'redis';
import { withTimeout, type RedisClient } from './redis-script.js';

/** A command that takes longer than this fails (the caller treats Redis as unreachable). */
const COMMAND_TIMEOUT_MS = 2000;

export interface RedisLinkOptions {
  url: string;
  /** Every key and channel starts with it (the room's prefix: one demo, one prefix). */
  prefix: string;
  connectTimeoutMs?: number;
}

export class RedisLink {
  /** Fails fast while disconnected (no offline queue). */
  readonly commands: RedisClient;
  readonly #subscriber: RedisClient;
  readonly #reconnectListeners = new Set<() => void>();
  #connected = false;

  private constructor(
    readonly prefix: string,
    options: RedisLinkOptions,
  ) {
    this.commands = createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: { connectTimeout: options.connectTimeoutMs ?? 5000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
    });
    this.#subscriber = this.commands.duplicate();
    // Errors also surface on the commands that fail; the clients reconnect by themselves.
    this.commands.on('error', () => {});
    this.#subscriber.on('error', () => {});
    this.#subscriber.on('ready', () => {
      if (this.#connected) for (const listener of this.#reconnectListeners) listener();
    });
  }

  static async connect(options: RedisLinkOptions): Promise<RedisLink> {
    const link = new RedisLink(options.prefix, options);
    try {
      await withTimeout(Promise.all([link.commands.connect(), link.#subscriber.connect()]), options.connectTimeoutMs ?? 5000);
    } catch (error) {
      link.close();
      throw error;
    }
    link.#connected = true;
    return link;
  }

  /** `name` under the prefix. */
  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Resolves once subscribed; `listener` hears every message on `channel` (a full key, see key()). */
  subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    return this.#subscriber.subscribe(channel, listener);
  }

  /** Called after the subscriber connection came back (Redis restarted, or the network blinked). */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  close(): void {
    this.#reconnectListeners.clear();
    for (const client of [this.#subscriber, this.commands]) if (client.isOpen) client.destroy();
  }
}
