// The retained tail of a room's log and the catch-up rules on it, shared by
// the in-memory room (which owns its log) and the Redis room (whose local
// mirror of the stream this is).
import type { Message } from './message.js';

export interface Catchup {
  messages: Message[];
  /** The id of the last message in the room (the cursor to poll with next). */
  cursor: number;
  epoch: string;
  /** True when the requested cursor could not be honoured and `messages` is the whole retained history. */
  reset?: true;
}

export class History {
  #lastId = 0;
  /** Oldest first; ids are contiguous. Trimmed in batches so the array is not shifted on every push. */
  #messages: Message[] = [];

  constructor(readonly limit: number) {}

  get lastId(): number {
    return this.#lastId;
  }

  /** Adds the next message; its id must follow the last one. */
  push(message: Message): void {
    this.#messages.push(message);
    this.#lastId = message.id;
    if (this.#messages.length > this.limit * 1.25) this.#messages = this.#messages.slice(-this.limit);
  }

  /** Forgets everything (the log started over under a new epoch). */
  clear(): void {
    this.#messages = [];
    this.#lastId = 0;
  }

  retained(): Message[] {
    const extra = this.#messages.length - this.limit;
    return extra > 0 ? this.#messages.slice(extra) : this.#messages;
  }

  /**
   * Everything after `since`, in id order. `since` undefined joins live (no
   * backlog). A cursor that cannot be honoured (older than the history, from
   * another epoch, or newer than the log unless `aheadIsKnown` says the log
   * will get there) gets `reset` and the whole history. A known cursor ahead
   * of this log gets nothing yet, with the client's own cursor.
   */
  since(
    since: number | undefined,
    clientEpoch: string | undefined,
    epoch: string,
    aheadIsKnown: (since: number) => boolean = () => false,
  ): Catchup {
    // Object literals and one slice at most: every held poll calls this at each broadcast.
    const cursor = this.#lastId;
    const foreignEpoch = clientEpoch !== undefined && clientEpoch !== epoch;
    // Joining live, or nothing new (the usual long poll): no slice at all.
    if (since === undefined || (since === cursor && !foreignEpoch)) return { messages: [], cursor, epoch };
    const firstKept = Math.max(0, this.#messages.length - this.limit);
    const oldestKept = this.#messages[firstKept]?.id ?? cursor + 1;
    if (!foreignEpoch && since > cursor && aheadIsKnown(since)) return { messages: [], cursor: since, epoch };
    if (foreignEpoch || since > cursor || since < oldestKept - 1) return { messages: this.retained(), cursor, epoch, reset: true };
    return { messages: this.#messages.slice(firstKept + since - oldestKept + 1), cursor, epoch };
  }
}
