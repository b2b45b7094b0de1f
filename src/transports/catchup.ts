// A client's catch-up, the same way on every transport: let the room settle
// the cursor first when it must (a Redis room's node behind the client's
// cursor), else answer at once (always, for the in-memory room: no await on
// its path). Replies carry the node that answered.
import type { Catchup, ChatRoom } from '../chat/room.js';

export interface NodeCatchup extends Catchup {
  /** The node that answered (several share one room through Redis). */
  nodeId: string;
}

export function catchupFor(room: ChatRoom, since: number | undefined, epoch: string | undefined): Catchup | Promise<Catchup> {
  const settling = room.settleCursor(since, epoch);
  return settling ? settling.then(() => room.since(since, epoch)) : room.since(since, epoch);
}

/** Runs `then` with the catch-up, synchronously when it is ready. */
export function withCatchup(catchup: Catchup | Promise<Catchup>, then: (catchup: Catchup) => void): void {
  if (catchup instanceof Promise) void catchup.then(then);
  else then(catchup);
}
