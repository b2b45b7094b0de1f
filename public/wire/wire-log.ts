// What the transports put on the wire lately, one lane per transport, for the
// timeline. Entries are upserted by id (a request comes twice: when it leaves
// and when its answer is in); what ended before the window is dropped, and
// each lane keeps at most MAX_PER_LANE entries whatever happens.
import type { WireEntry } from '../../src/client/transport.js';

export const WINDOW_MS = 20_000;
export const MAX_PER_LANE = 500;

/** When an entry stops mattering: a request in flight never does. */
function endOf(entry: WireEntry): number {
  if (entry.endAt !== undefined) return entry.endAt;
  return entry.kind === 'request' ? Infinity : entry.at;
}

export class WireLog<Lane extends string = string> {
  /** Insertion order is start order: a Map keeps a key's first position when it is set again. */
  #lanes = new Map<Lane, Map<number, WireEntry>>();
  /** Bumped on every change. */
  revision = 0;

  add(lane: Lane, entry: WireEntry): void {
    let entries = this.#lanes.get(lane);
    if (!entries) this.#lanes.set(lane, (entries = new Map<number, WireEntry>()));
    entries.set(entry.id, entry);
    if (entries.size > MAX_PER_LANE) entries.delete(entries.keys().next().value!);
    this.revision++;
  }

  /** The lane's entries that overlap [now - windowMs, now], oldest first; older ones are dropped. */
  visible(lane: Lane, now: number, windowMs = WINDOW_MS): WireEntry[] {
    const entries = this.#lanes.get(lane);
    if (!entries) return [];
    const from = now - windowMs;
    const shown: WireEntry[] = [];
    for (const [id, entry] of entries) {
      if (endOf(entry) < from) entries.delete(id);
      else if (entry.at <= now) shown.push(entry);
    }
    return shown;
  }

  size(lane: Lane): number {
    return this.#lanes.get(lane)?.size ?? 0;
  }

  clear(): void {
    this.#lanes.clear();
    this.revision++;
  }
}
