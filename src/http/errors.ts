// One error shape for every HTTP route: `{ error: { code, message } }`.
// Bad input is a 4xx with a code a client can branch on, never a 500.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Fastify's `frameworkErrors`: a URL the router cannot decode (FST_ERR_BAD_URL) and the like. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const code = error.code === 'FST_ERR_BAD_URL' ? 'invalid_url' : 'bad_request';
  void sendError(reply, 400, { code, message: error.message });
}

/** What Node's parser refuses before Fastify sees a request (`clientError`), by Node's error code. */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'the request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', message: 'request headers exceed 16 KiB' },
};

/** Fastify's `clientErrorHandler`: the JSON error shape on Node's own 400/408/431, then the socket is closed. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''] ?? { status: 400, code: 'bad_request', message: 'malformed HTTP request' };
  const body = JSON.stringify({ error: { code: known.code, message: known.message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
