// What the two HTTP transports share: the send route and the receive query.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { checkLengths, MessageSchema, SendInputSchema, type SendInput } from '../chat/message.js';
import { type TransportName } from '../chat/transports.js';
import type { SendAdmission } from '../chat/rate-limit.js';
import type { ChatRoom } from '../chat/room.js';
import { sendError } from '../http/errors.js';
import { CURSOR_PATTERN } from './cursor.js';
import { clientIp, type Guard } from './guard.js';

/** Query values stay strings (no type coercion) so `since=1e3` or `since=-1` is refused, not guessed at. */
const Integer = Type.String({ pattern: CURSOR_PATTERN });

/** The HTTP clients name themselves with a random id (per page pane), the key of their send rate limit. */
const ClientId = Type.String({ minLength: 1, maxLength: 64 });

export const SendQuerySchema = Type.Object({ client: Type.Optional(ClientId) });
export type SendQuery = Static<typeof SendQuerySchema>;

export const ReceiveQuerySchema = Type.Object({
  since: Type.Optional(Integer),
  epoch: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  wait: Type.Optional(Integer),
  client: Type.Optional(ClientId),
});
export type ReceiveQuery = Static<typeof ReceiveQuerySchema>;

export const CatchupSchema = Type.Object({
  messages: Type.Array(MessageSchema),
  cursor: Type.Integer(),
  epoch: Type.String(),
  reset: Type.Optional(Type.Boolean()),
  nodeId: Type.String(),
});

export const optionalInt = (raw: string | undefined): number | undefined => (raw === undefined ? undefined : Number(raw));

export function messagesUrl(via: TransportName): string {
  return `/api/${via}/messages`;
}

/** 429 with Retry-After (whole seconds, at least 1) and the JSON error. */
export function sendTooMany(reply: FastifyReply, refusal: Extract<SendAdmission, { ok: false }>): FastifyReply {
  reply.header('Retry-After', String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))));
  return sendError(reply, 429, refusal.error);
}

/**
 * `POST /api/<via>/messages?client=ID`: 201 with the message; a re-sent
 * clientMsgId gets the original back; 503 + Retry-After while Redis is unreachable.
 */
export function registerSendRoute(fastify: FastifyInstance, room: ChatRoom, via: TransportName, guard: Guard): void {
  fastify.post<{ Body: SendInput; Querystring: SendQuery }>(
    messagesUrl(via),
    { schema: { body: SendInputSchema, querystring: SendQuerySchema, response: { 201: Type.Object({ message: MessageSchema }) } } },
    async (request, reply) => {
      const parsed = checkLengths(request.body);
      if (!parsed.ok) return sendError(reply, 400, parsed.error);
      // Without a client id, all such senders of one IP share one client bucket.
      const admission = guard.admitSend(`http:${request.query.client ?? ''}`, clientIp(request.raw));
      if (!admission.ok) return sendTooMany(reply, admission);
      const { message } = await room.append(parsed.value, via);
      return reply.code(201).send({ message });
    },
  );
}
