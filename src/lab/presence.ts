// Who is here, per transport: the distinct client ids seen within a recent
// window. Every transport's requests and connections carry a client id (see
// docs/protocol.md, "Client id"); a request or a connection that names none is
// counted under a key of its own connection. The window spans a short poll's
// interval (at most 5 s in the page) and a held long poll (which is seen while
// held too, see WireStats), so a client between two requests still counts,
// and one that left stops counting once the window has passed.
//
// In memory, one node. Kept behind this small interface so that several nodes
// can later share one count (each id as a member of a sorted set scored by
// time, counted with a range): `counts` stays synchronous, so such an
// implementation answers from a cache it refreshes on its own.
import { TRANSPORT_NAMES, type TransportName } from '../chat/transports.js';

export interface Presence {
  /** `clientId` did something on `transport` at `now` (ms, any monotonic clock the caller keeps using). */
  seen(transport: TransportName, clientId: string, now: number): void;
  /** Distinct client ids per transport seen within the window before `now`. */
  counts(now: number): Record<TransportName, number>;
}

/** Long enough to span a short-poll interval (≤ 5 s) and the gap between two long polls (`--presence-window`). */
export const DEFAULT_PRESENCE_WINDOW_MS = 15_000;
/**
 * Ids remembered per transport. Invented ids could otherwise fill memory for a
 * window's length; beyond this the longest unseen are forgotten (the count then
 * reads at most this).
 */
export const MAX_TRACKED_IDS = 100_000;

export class MemoryPresence implements Presence {
  /** Per transport: id -> last seen, in the order last seen (re-inserted on each sighting), oldest first. */
  readonly #lastSeen = new Map<TransportName, Map<string, number>>(TRANSPORT_NAMES.map((name) => [name, new Map()]));

  constructor(
    readonly windowMs = DEFAULT_PRESENCE_WINDOW_MS,
    private readonly maxIds = MAX_TRACKED_IDS,
  ) {}

  seen(transport: TransportName, clientId: string, now: number): void {
    const ids = this.#lastSeen.get(transport)!;
    ids.delete(clientId);
    ids.set(clientId, now);
    if (ids.size > this.maxIds) ids.delete(ids.keys().next().value!);
  }

  counts(now: number): Record<TransportName, number> {
    const counts = {} as Record<TransportName, number>;
    for (const [transport, ids] of this.#lastSeen) {
      // Oldest first: stop at the first id still inside the window.
      for (const [id, seenAt] of ids) {
        if (now - seenAt <= this.windowMs) break;
        ids.delete(id);
      }
      counts[transport] = ids.size;
    }
    return counts;
  }
}
