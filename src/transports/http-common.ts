// What the two HTTP transports share: the send route and the receive query.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { checkLengths, MessageSchema, SendInputSchema, type Message, type SendInput } from '../chat/message.js';
import { type TransportName } from '../chat/transports.js';
import type { SendAdmission } from '../chat/rate-limit.js';
import type { Catchup } from '../chat/room.js';
import type { ServerOptions } from '../config.js';
import { sendError } from '../http/errors.js';
import { ClientIdSchema, connectionKey } from './client-id.js';
import { CURSOR_PATTERN } from './cursor.js';
import { clientIp, type Guard } from './guard.js';
import { jsonOf } from './message-json.js';
import type { PollAnswers } from './poll-answer.js';
import type { TransportContext } from './types.js';

/** Query values stay strings (no type coercion) so `since=1e3` or `since=-1` is refused, not guessed at. */
const Integer = Type.String({ pattern: CURSOR_PATTERN });

export const SendQuerySchema = Type.Object({ client: Type.Optional(ClientIdSchema) });
export type SendQuery = Static<typeof SendQuerySchema>;

export const ReceiveQuerySchema = Type.Object({
  since: Type.Optional(Integer),
  epoch: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  wait: Type.Optional(Integer),
  client: Type.Optional(ClientIdSchema),
});
export type ReceiveQuery = Static<typeof ReceiveQuerySchema>;

export const CatchupSchema = Type.Object({
  messages: Type.Array(MessageSchema),
  cursor: Type.Integer(),
  epoch: Type.String(),
  reset: Type.Optional(Type.Boolean()),
  nodeId: Type.String(),
  more: Type.Optional(Type.Boolean()),
});

/** A poll reply: the catch-up cut to at most `max` messages, with `more: true` when some are left for the next poll. */
export type PollReply = Catchup & { more?: true };

export function firstBatch(catchup: Catchup, max: number): PollReply {
  return catchup.messages.length <= max ? catchup : { ...catchup, messages: catchup.messages.slice(0, max), more: true };
}

/**
 * Answers a poll at once: one batch, charged to the address's catch-up byte
 * budget, or `429 catchup_budget` with Retry-After when the budget is short.
 */
export function answerPoll(
  request: FastifyRequest,
  reply: FastifyReply,
  catchup: Catchup,
  { options, guard, answers }: { options: ServerOptions; guard: Guard; answers: PollAnswers },
): void {
  const batch = firstBatch(catchup, options.pollBatchMessages);
  const admission = guard.admitCatchup(request.raw, batch.messages);
  if (admission.ok) return void answers.send(reply, batch);
  reply.header('Retry-After', String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))));
  sendError(reply, 429, { code: 'catchup_budget', message: 'too much history asked from this address, retry later' });
}

/**
 * Runs `then` with `value`: in the same tick when it is ready (the in-memory
 * room and limiter, so the HTTP routes need no promise), else once it
 * settles; a rejection goes to Fastify's error handler.
 */
export function whenReady<T>(reply: FastifyReply, value: T | Promise<T>, then: (value: T) => void): void {
  if (value instanceof Promise) value.then(then, (error: unknown) => reply.send(error));
  else then(value);
}

export const optionalInt = (raw: string | undefined): number | undefined => (raw === undefined ? undefined : Number(raw));

/** Who an HTTP request is from, for the participant counts: its `client=`, else its TCP connection. */
export function participantOf(request: FastifyRequest<{ Querystring: { client?: string } }>): string {
  return request.query.client ?? connectionKey(request.raw.socket);
}

/** The rate-limit key of an HTTP sender. */
export const httpClientKey = (client: string | undefined): string => `http:${client ?? ''}`;

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
export function registerSendRoute(
  fastify: FastifyInstance,
  { room, guard, lab }: Pick<TransportContext, 'room' | 'guard' | 'lab'>,
  via: TransportName,
  /** Told the key and address of a sender that keeps sending into its rate limit (SSE ends its stream). */
  onPersistentFlooder?: (clientKey: string, ip: string) => void,
): void {
  fastify.post<{ Body: SendInput; Querystring: SendQuery }>(
    messagesUrl(via),
    {
      schema: { body: SendInputSchema, querystring: SendQuerySchema, response: { 201: Type.Object({ message: MessageSchema }) } },
      // The 201 from the message's own JSON, which the poll answers that carry it then reuse.
      serializerCompiler: ({ httpStatus }: { httpStatus?: string }) =>
        httpStatus === '201' ? (data: unknown) => `{"message":${jsonOf((data as { message: Message }).message)}}` : JSON.stringify,
    },
    // Not async: with the in-memory room and limiter nothing is awaited, so no promise per send.
    (request, reply) => {
      const parsed = checkLengths(request.body);
      lab.stats.seen(via, participantOf(request));
      if (!parsed.ok) return void sendError(reply, 400, parsed.error);
      // Without a client id, all such senders of one IP share one client bucket.
      const clientKey = httpClientKey(request.query.client);
      const ip = clientIp(request.raw);
      const input = parsed.value;
      whenReady(reply, guard.admitSend(clientKey, ip), (admission) => {
        if (!admission.ok) {
          if (admission.persistent) onPersistentFlooder?.(clientKey, ip);
          return void sendTooMany(reply, admission);
        }
        const appended = room.appendNow ? room.appendNow(input, via) : room.append(input, via);
        whenReady(reply, appended, ({ message }) => void reply.code(201).send({ message }));
      });
    },
  );
}
