// A poll's 200 answer as bytes, made once per room state and shared: at a
// broadcast every held long poll with the same cursor gets the same answer,
// and short polls at the same cursor too, so the body is serialized once and
// the same Buffer is written to each of them.
import type { FastifyReply } from 'fastify';
import type { TransportName } from '../chat/transports.js';
import type { Lab } from '../lab/lab.js';
import type { PollReply } from './http-common.js';
import { jsonOf } from './message-json.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Bodies kept for one room state; more distinct answers than this start the cache over. */
const MAX_BODIES = 64;

/** A poll answer's body, from the messages' cached JSON (the room's own objects, already validated). */
export function serializePollReply(reply: PollReply, nodeId: string): string {
  // Written out (no object spread and stringify of the header per answer), in the keys' order of a PollReply.
  const flags = (reply.reset ? ',"reset":true' : '') + (reply.more ? ',"more":true' : '');
  const messages = reply.messages.map(jsonOf).join(',');
  return `{"messages":[${messages}],"cursor":${reply.cursor},"epoch":${JSON.stringify(reply.epoch)}${flags},"nodeId":${JSON.stringify(nodeId)}}`;
}

/** The poll answers of one transport on this node. */
export class PollAnswers {
  /** The room state (epoch and cursor) the cached bodies belong to. */
  #epoch = '';
  #cursor = -1;
  readonly #bodies = new Map<string, Buffer>();

  constructor(
    private readonly via: TransportName,
    private readonly nodeId: string,
    private readonly lab: Lab,
  ) {}

  /**
   * The body of `reply`. Within one epoch and cursor an answer is fixed by
   * its first message id, its count and its reset and more flags (ids are
   * contiguous and a message never changes), so those key the shared bodies.
   */
  body(reply: PollReply): Buffer {
    if (reply.cursor !== this.#cursor || reply.epoch !== this.#epoch || this.#bodies.size >= MAX_BODIES) {
      this.#bodies.clear();
      this.#cursor = reply.cursor;
      this.#epoch = reply.epoch;
    }
    const { messages } = reply;
    const key = `${messages.length === 0 ? '' : messages[0]!.id}:${messages.length}:${reply.reset ? 'r' : ''}${reply.more ? 'm' : ''}`;
    let body = this.#bodies.get(key);
    if (body === undefined) {
      body = Buffer.from(serializePollReply(reply, this.nodeId));
      this.#bodies.set(key, body);
    }
    return body;
  }

  /** Answers 200 with `reply`, counted among the lab's polls. */
  send(reply: FastifyReply, answer: PollReply): void {
    this.lab.stats.count(this.via, 'polls');
    if (answer.messages.length === 0) this.lab.stats.count(this.via, 'emptyPolls');
    void reply.header('content-type', JSON_TYPE).send(this.body(answer));
  }
}
