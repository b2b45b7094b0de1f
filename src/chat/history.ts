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
    const base = { cursor: this.#lastId, epoch };
    if (since === undefined) return { ...base, messages: [] };
    // One slice per call: every held poll calls this at each broadcast.
    const firstKept = Math.max(0, this.#messages.length - this.limit);
    const oldestKept = this.#messages[firstKept]?.id ?? this.#lastId + 1;
    const foreignEpoch = clientEpoch !== undefined && clientEpoch !== epoch;
    if (!foreignEpoch && since > this.#lastId && aheadIsKnown(since)) return { cursor: since, epoch, messages: [] };
    if (foreignEpoch || since > this.#lastId || since < oldestKept - 1) {
      return { ...base, messages: this.retained(), reset: true };
    }
    return { ...base, messages: this.#messages.slice(firstKept + since - oldestKept + 1) };
  }
}
