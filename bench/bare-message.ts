// The bare baselines speak just enough of our wire contract for the real
// client transports to run against them unchanged: the same workload, the
// same message size, none of our validation, room or plugins.
import { randomBytes } from 'node:crypto';
import type { Message, SendInput } from '../src/chat/message.js';
import type { TransportName } from '../src/chat/transports.js';

/** As long as our room's epoch, so bodies and queries have the same size. */
export const BARE_EPOCH = randomBytes(6).toString('hex');

const HISTORY = 1000;
const history: Message[] = [];
const listeners = new Set<(message: Message) => void>();
/** A re-sent clientMsgId gets its message back, not a second one (a send times out and is retried on a loaded machine). */
const byClientMsgId = new Map<string, Message>();
let lastId = 0;

export const bareCursor = (): number => lastId;

/** Stamps a send like the room would, trusting the input as it is, and tells the listeners (new messages only). */
export function bareMessage(input: SendInput, via: TransportName): Message {
  const known = byClientMsgId.get(input.clientMsgId);
  if (known) return known;
  const message: Message = { id: ++lastId, clientMsgId: input.clientMsgId, author: input.author, text: input.text, via, at: Date.now() };
  history.push(message);
  byClientMsgId.set(message.clientMsgId, message);
  if (byClientMsgId.size > 2 * HISTORY) byClientMsgId.delete(byClientMsgId.keys().next().value!);
  if (history.length > 2 * HISTORY) history.splice(0, HISTORY);
  for (const listener of listeners) listener(message);
  return message;
}

/** Messages after `since` (the benchmark never falls out of the history, so no reset). */
export function bareSince(since: number): Message[] {
  const oldest = history[0]?.id ?? lastId + 1;
  return history.slice(Math.max(0, since - oldest + 1));
}

/** Runs `listener` for every new message, before bareMessage returns it. */
export function onBareMessage(listener: (message: Message) => void): void {
  listeners.add(listener);
}
