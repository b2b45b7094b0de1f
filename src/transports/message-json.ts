// Each message's JSON, made once: the send route's 201 answer and every poll
// answer that carries the message reuse the same string.
import type { Message } from '../chat/message.js';

const messageJson = new WeakMap<Message, string>();

/** The JSON of one of the room's messages (its own object, already validated). */
export function jsonOf(message: Message): string {
  let json = messageJson.get(message);
  if (json === undefined) {
    json = JSON.stringify(message);
    messageJson.set(message, json);
  }
  return json;
}
