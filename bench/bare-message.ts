// The bare baselines speak just enough of our wire contract for the real
// client transports to run against them unchanged: the same workload, the
// same message size, none of our validation, room or plugins.
import type { Message, SendInput } from '../src/chat/message.js';
import type { TransportName } from '../src/chat/transports.js';

export const BARE_EPOCH = 'bare';

let lastId = 0;

export const bareCursor = (): number => lastId;

/** Stamps a send like the room would, trusting the input as it is. */
export function bareMessage(input: SendInput, via: TransportName): Message {
  return { id: ++lastId, clientMsgId: input.clientMsgId, author: input.author, text: input.text, via, at: Date.now() };
}
