// One error shape for every HTTP route: `{ error: { code, message } }`.
// Bad input is a 4xx with a code a client can branch on, never a 500.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { ChatError } from '../chat/message.js';
import { RoomUnavailableError } from '../chat/room.js';
import { namedPlugin } from '../named-plugin.js';

export function sendError(reply: FastifyReply, status: number, error: ChatError): FastifyReply {
  return reply.code(status).send({ error });
}

/** Fastify's own error codes mapped to ours. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request' },
};

function setErrorHandlers(fastify: FastifyInstance): void {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const code = error.validationContext === 'querystring' ? 'invalid_query' : 'invalid_message';
      return sendError(reply, 400, { code, message: error.message });
    }
    // Redis is unreachable: the same request will pass later (a load balancer may also route around this node).
    if (error instanceof RoomUnavailableError) {
      reply.header('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
      return sendError(reply, 503, error.error);
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendError(reply, known.status, { code: known.code, message: error.message });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, error.statusCode, { code: 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 500, { code: 'internal', message: 'internal server error' });
  });

  fastify.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

export const errorsPlugin = namedPlugin('errors', setErrorHandlers);
