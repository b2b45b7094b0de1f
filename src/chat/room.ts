// The one chat room: an append-only log that every transport reads from.
// It knows nothing about transports beyond the `via` label it stores.
import { randomBytes } from 'node:crypto';
import type { Message, SendInput } from './message.js';
import type { TransportName } from './transports.js';

export interface RoomOptions {
  /** How many recent messages are kept for replay. */
  historyLimit: number;
  /** How many recent clientMsgIds are remembered for idempotent re-sends. */
  dedupeLimit?: number;
  now?: () => number;
}

export interface Catchup {
  messages: Message[];
  /** The id of the last message in the room (the cursor to poll with next). */
  cursor: number;
  epoch: string;
  /** True when the requested cursor could not be honoured and `messages` is the whole retained history. */
  reset?: true;
}

export interface AppendResult {
  message: Message;
  /** True when `clientMsgId` was seen before and nothing was appended. */
  duplicate: boolean;
}

export type Subscriber = (message: Message) => void;

/**
 * What the transports know of the room. `append` is asynchronous so a room
 * shared by several nodes (through Redis) can implement it; `since` stays
 * synchronous (such a room serves it from a local mirror of the history).
 */
export interface ChatRoom {
  /** Random per boot (per shared room), so clients can tell a restarted server from a quiet one. */
  readonly epoch: string;
  /** The id of the last message. */
  readonly cursor: number;
  /** Appends unless `clientMsgId` is known; subscribers hear each real append once, in id order. */
  append(input: SendInput, via: TransportName): Promise<AppendResult>;
  since(since: number | undefined, epoch?: string): Catchup;
  /** Returns the function that unsubscribes. */
  subscribe(subscriber: Subscriber): () => void;
}

/** The in-memory room of one process: an append resolves at once. */
export class Room implements ChatRoom {
  /** Random per boot, so clients can tell a restarted server from a quiet one. */
  readonly epoch = randomBytes(6).toString('hex');
  #lastId = 0;
  /** Retained history, oldest first; ids are contiguous. */
  #history: Message[] = [];
  #byClientMsgId = new Map<string, Message>();
  #subscribers = new Set<Subscriber>();
  readonly #historyLimit: number;
  readonly #dedupeLimit: number;
  readonly #now: () => number;

  constructor(options: RoomOptions) {
    this.#historyLimit = options.historyLimit;
    this.#dedupeLimit = Math.max(options.dedupeLimit ?? 10_000, options.historyLimit);
    this.#now = options.now ?? Date.now;
  }

  get cursor(): number {
    return this.#lastId;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  // Runs to the end synchronously: subscribers have heard the message when the call returns.
  // eslint-disable-next-line @typescript-eslint/require-await
  async append(input: SendInput, via: TransportName): Promise<AppendResult> {
    const known = this.#byClientMsgId.get(input.clientMsgId);
    if (known) return { message: known, duplicate: true };

    const message: Message = {
      id: ++this.#lastId,
      clientMsgId: input.clientMsgId,
      author: input.author,
      text: input.text,
      via,
      at: this.#now(),
    };
    this.#history.push(message);
    // Trim in batches so the array is not shifted on every append.
    if (this.#history.length > this.#historyLimit * 1.25) {
      this.#history = this.#history.slice(-this.#historyLimit);
    }
    this.#byClientMsgId.set(message.clientMsgId, message);
    if (this.#byClientMsgId.size > this.#dedupeLimit) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.#byClientMsgId.keys().next().value as string;
      this.#byClientMsgId.delete(oldest);
    }
    for (const subscriber of this.#subscribers) subscriber(message);
    return { message, duplicate: false };
  }

  /**
   * Everything after `since`, in id order. `since` undefined joins live (no
   * backlog). A cursor the room cannot honour (older than the history, newer
   * than the room, or from another epoch) gets `reset` and the whole history.
   */
  since(since: number | undefined, epoch?: string): Catchup {
    const base = { cursor: this.#lastId, epoch: this.epoch };
    if (since === undefined) return { ...base, messages: [] };
    const retained = this.#retained();
    const oldestKept = retained[0]?.id ?? this.#lastId + 1;
    const foreignEpoch = epoch !== undefined && epoch !== this.epoch;
    if (foreignEpoch || since > this.#lastId || since < oldestKept - 1) {
      return { ...base, messages: retained, reset: true };
    }
    return { ...base, messages: retained.slice(since - oldestKept + 1) };
  }

  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  #retained(): Message[] {
    const extra = this.#history.length - this.#historyLimit;
    return extra > 0 ? this.#history.slice(extra) : this.#history;
  }
}
