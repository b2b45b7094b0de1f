// Short polling: the client asks at a fixed interval; every GET answers at once.
import { Type } from '@sinclair/typebox';
import {
  answerPoll,
  registerSendRoute,
  messagesUrl,
  ReceiveQuerySchema,
  CatchupSchema,
  optionalInt,
  participantOf,
  whenReady,
  type ReceiveQuery,
} from './http-common.js';
import { catchupFor } from './catchup.js';
import { PollAnswers } from './poll-answer.js';
import type { TransportPlugin } from './types.js';

export const shortPolling: TransportPlugin = (fastify, { room, options, lab, guard }) => {
  // Nothing is held between polls: no connection to count or drop.
  lab.attach('short-polling', { httpPrefix: messagesUrl('short-polling'), delayHttp: true });
  registerSendRoute(fastify, { room, guard, lab }, 'short-polling');
  const answers = new PollAnswers('short-polling', fastify.nodeId, lab);
  fastify.get<{ Querystring: ReceiveQuery }>(
    messagesUrl('short-polling'),
    { schema: { querystring: ReceiveQuerySchema, response: { 200: CatchupSchema, 429: Type.Any() } } },
    // Not async: with the in-memory room nothing is awaited, so no promise per poll.
    (request, reply) => {
      lab.stats.seen('short-polling', participantOf(request));
      whenReady(reply, catchupFor(room, optionalInt(request.query.since), request.query.epoch), (catchup) =>
        answerPoll(request, reply, catchup, { options, guard, answers }),
      );
    },
  );
};
