// Short polling: the client asks at a fixed interval; every GET answers at once.
import { Type } from '@sinclair/typebox';
import {
  answerPoll,
  catchupSerializerCompiler,
  registerSendRoute,
  messagesUrl,
  ReceiveQuerySchema,
  CatchupSchema,
  optionalInt,
  participantOf,
  type PollReply,
  type ReceiveQuery,
} from './http-common.js';
import { catchupFor } from './catchup.js';
import type { TransportPlugin } from './types.js';

export const shortPolling: TransportPlugin = (fastify, { room, options, lab, guard }) => {
  // Nothing is held between polls: no connection to count or drop.
  lab.attach('short-polling', { httpPrefix: messagesUrl('short-polling'), delayHttp: true });
  registerSendRoute(fastify, { room, guard, lab }, 'short-polling');
  fastify.get<{ Querystring: ReceiveQuery }>(
    messagesUrl('short-polling'),
    {
      schema: { querystring: ReceiveQuerySchema, response: { 200: CatchupSchema, 429: Type.Any() } },
      serializerCompiler: catchupSerializerCompiler,
    },
    async (request, reply) => {
      lab.stats.seen('short-polling', participantOf(request));
      const catchup = await catchupFor(room, optionalInt(request.query.since), request.query.epoch);
      // The answering node rides along (serializeCatchup writes every header field).
      return answerPoll(request, reply, { ...catchup, nodeId: fastify.nodeId } as PollReply, options, guard);
    },
  );
};
