// What the two HTTP transports share: the send route and the receive query.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { checkLengths, MessageSchema, SendInputSchema, type SendInput, type TransportName } from '../chat/message.js';
import type { Room } from '../chat/room.js';
import { sendError } from '../http/errors.js';
import { CURSOR_PATTERN } from './cursor.js';

/** Query values stay strings (no type coercion) so `since=1e3` or `since=-1` is refused, not guessed at. */
const Integer = Type.String({ pattern: CURSOR_PATTERN });

export const ReceiveQuerySchema = Type.Object({
  since: Type.Optional(Integer),
  epoch: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  wait: Type.Optional(Integer),
  client: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type ReceiveQuery = Static<typeof ReceiveQuerySchema>;

export const CatchupSchema = Type.Object({
  messages: Type.Array(MessageSchema),
  cursor: Type.Integer(),
  epoch: Type.String(),
  reset: Type.Optional(Type.Boolean()),
});

export const optionalInt = (raw: string | undefined): number | undefined =>
  raw === undefined ? undefined : Number(raw);

export function messagesUrl(via: TransportName): string {
  return `/api/${via}/messages`;
}

/** `POST /api/<via>/messages`: 201 with the message; a re-sent clientMsgId gets the original back. */
export function registerSendRoute(fastify: FastifyInstance, room: Room, via: TransportName): void {
  fastify.post<{ Body: SendInput }>(
    messagesUrl(via),
    { schema: { body: SendInputSchema, response: { 201: Type.Object({ message: MessageSchema }) } } },
    async (request, reply) => {
      const parsed = checkLengths(request.body);
      if (!parsed.ok) return sendError(reply, 400, parsed.error);
      return reply.code(201).send({ message: room.append(parsed.value, via).message });
    },
  );
}
