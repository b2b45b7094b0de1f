// The one chat room: an append-only log that every transport reads from.
// It knows nothing about transports beyond the `via` label it stores.
// `Room` keeps it in this process (the default); `RedisRoom` shares it
// between several processes (src/chat/redis-room.ts). Transports see `ChatRoom`.
import { randomBytes } from 'node:crypto';
import { History, type Catchup } from './history.js';
import { UNAVAILABLE, type ChatError, type Message, type SendInput } from './message.js';
import type { TransportName } from './transports.js';

export type { Catchup } from './history.js';

export interface RoomOptions {
  /** How many recent messages are kept for replay. */
  historyLimit: number;
  /** How many recent clientMsgIds are remembered for idempotent re-sends. */
  dedupeLimit?: number;
  now?: () => number;
}

export interface AppendResult {
  message: Message;
  /** True when `clientMsgId` was seen before and nothing was appended. */
  duplicate: boolean;
}

export type Subscriber = (message: Message) => void;

/** A send the room cannot take now (its store is unreachable); the same send will pass later. */
export class RoomUnavailableError extends Error {
  readonly error: ChatError = { code: UNAVAILABLE, message: 'the chat store (Redis) is unreachable: retry shortly' };
  readonly retryAfterMs = 1000;
  constructor() {
    super('the chat store (Redis) is unreachable');
  }
}

/** A failed append as the client sees it: retryable while the store is unreachable. */
export function appendError(error: unknown): ChatError {
  return error instanceof RoomUnavailableError ? error.error : { code: 'internal', message: 'the message could not be stored' };
}

/** What the transports need of a room, in memory or in Redis. */
export interface ChatRoom {
  /** Random per log: clients tell a new log (restarted server, Redis that lost its data) from a quiet one. */
  readonly epoch: string;
  /** The id of the last message this node has. */
  readonly cursor: number;
  /** False while the room's store is unreachable: appends fail with RoomUnavailableError. */
  readonly available: boolean;
  /** Appends unless `clientMsgId` is known; subscribers hear each real append once, in id order. Rejects with RoomUnavailableError. */
  append(input: SendInput, via: TransportName): Promise<AppendResult>;
  /** Present when the room appends in this process: the same as append(), answered at once (no promise on the send path). */
  appendNow?(input: SendInput, via: TransportName): AppendResult;
  /**
   * Everything after `since`, in id order. `since` undefined joins live (no
   * backlog). A cursor the room cannot honour (older than the history, newer
   * than the room, or from another epoch) gets `reset` and the whole history.
   */
  since(since: number | undefined, epoch?: string): Catchup;
  /**
   * Call before since() with a client's cursor: undefined when since() can
   * answer it now; else a promise to await first (a cursor from another
   * node that is ahead of this one, or an epoch this node has not seen yet).
   */
  settleCursor(since: number | undefined, epoch: string | undefined): Promise<void> | undefined;
  /** Returns the function that unsubscribes. */
  subscribe(subscriber: Subscriber): () => void;
  /** The log started over under a new epoch (Redis lost its data): push transports close their connections. */
  onEpochChange(listener: (epoch: string) => void): () => void;
  close(): Promise<void>;
}

export class Room implements ChatRoom {
  /** Random per boot, so clients can tell a restarted server from a quiet one. */
  readonly epoch = randomBytes(6).toString('hex');
  readonly available = true;
  readonly #history: History;
  #byClientMsgId = new Map<string, Message>();
  #subscribers = new Set<Subscriber>();
  readonly #dedupeLimit: number;
  readonly #now: () => number;

  constructor(options: RoomOptions) {
    this.#history = new History(options.historyLimit);
    this.#dedupeLimit = Math.max(options.dedupeLimit ?? 10_000, options.historyLimit);
    this.#now = options.now ?? Date.now;
  }

  get cursor(): number {
    return this.#history.lastId;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  append(input: SendInput, via: TransportName): Promise<AppendResult> {
    return Promise.resolve(this.appendNow(input, via));
  }

  // Runs to the end synchronously: subscribers have heard the message when the call returns.
  appendNow(input: SendInput, via: TransportName): AppendResult {
    const known = this.#byClientMsgId.get(input.clientMsgId);
    if (known) return { message: known, duplicate: true };

    const message: Message = {
      id: this.#history.lastId + 1,
      clientMsgId: input.clientMsgId,
      author: input.author,
      text: input.text,
      via,
      at: this.#now(),
    };
    this.#history.push(message);
    this.#byClientMsgId.set(message.clientMsgId, message);
    if (this.#byClientMsgId.size > this.#dedupeLimit) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.#byClientMsgId.keys().next().value as string;
      this.#byClientMsgId.delete(oldest);
    }
    for (const subscriber of this.#subscribers) subscriber(message);
    return { message, duplicate: false };
  }

  since(since: number | undefined, epoch?: string): Catchup {
    return this.#history.since(since, epoch, this.epoch);
  }

  /** One process holds the whole log: every cursor can be judged at once. */
  settleCursor(): undefined {
    return undefined;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** The epoch of an in-memory room never changes. */
  onEpochChange(): () => void {
    return () => {};
  }

  async close(): Promise<void> {}
}
