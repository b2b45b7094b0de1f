// The lab on the HTTP transports, by URL prefix: added latency on each
// request (before the route runs) and each response (before it is written),
// and the wire accounting. Socket.IO's polling requests are counted here
// before engine.io takes them over (its latency is added per packet instead,
// and its bodies, written by engine.io, are not split out from the wire bytes).
import type { FastifyInstance } from 'fastify';
import type { Lab } from './lab.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The transport this request belongs to, looked up once in onRequest. */
    labTransport: ReturnType<Lab['httpTransportOf']>;
  }
}

export function addLabHttpHooks(fastify: FastifyInstance, lab: Lab): void {
  fastify.decorateRequest('labTransport', undefined);

  fastify.addHook('onRequest', async (request, reply) => {
    const match = lab.httpTransportOf(request.url);
    request.labTransport = match;
    if (!match) return;
    const { name, attachment } = match;
    const socket = request.raw.socket;
    lab.stats.count(name, 'requests');
    if (request.method === 'GET') lab.stats.sawPoller(name, socket);
    // A keep-alive socket carries one request at a time (no pipelining from
    // browsers), so its byte delta over this response is this response.
    const writtenBefore = socket.bytesWritten;
    // (A stream that took the socket over, like SSE's, is counted by watchSocket instead, as it goes.)
    reply.raw.once('finish', () => {
      if (!lab.stats.watches(socket)) lab.stats.count(name, 'wireBytesOut', socket.bytesWritten - writtenBefore);
    });
    if (attachment.delayHttp) await lab.queue(name, 'in').wait();
  });

  fastify.addHook('preSerialization', async (request, _reply, payload) => {
    const match = request.method === 'GET' ? request.labTransport : undefined;
    const messages = (payload as { messages?: unknown } | null)?.messages;
    if (match && Array.isArray(messages)) {
      lab.stats.count(match.name, 'polls');
      if (messages.length === 0) lab.stats.count(match.name, 'emptyPolls');
    }
    return payload;
  });

  fastify.addHook('onSend', async (request, _reply, payload) => {
    const match = request.labTransport;
    if (!match) return payload;
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      lab.stats.count(match.name, 'payloadBytesOut', Buffer.byteLength(payload));
    }
    if (match.attachment.delayHttp) await lab.queue(match.name, 'out').wait();
    return payload;
  });
}
