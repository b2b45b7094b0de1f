// Short polling: the client asks at a fixed interval; every GET answers at once.
import { registerSendRoute, messagesUrl, ReceiveQuerySchema, CatchupSchema, optionalInt, type ReceiveQuery } from './http-common.js';
import { catchupFor } from './catchup.js';
import type { TransportPlugin } from './types.js';

export const shortPolling: TransportPlugin = (fastify, { room, lab, guard }) => {
  // Nothing is held between polls: no connection to count or drop.
  lab.attach('short-polling', { httpPrefix: messagesUrl('short-polling'), delayHttp: true });
  registerSendRoute(fastify, room, 'short-polling', guard);
  fastify.get<{ Querystring: ReceiveQuery }>(
    messagesUrl('short-polling'),
    { schema: { querystring: ReceiveQuerySchema, response: { 200: CatchupSchema } } },
    async (request) => ({
      ...(await catchupFor(room, optionalInt(request.query.since), request.query.epoch)),
      nodeId: fastify.nodeId,
    }),
  );
};
