// The lab on the HTTP transports, by URL prefix: added latency on each
// request (before the route runs) and each response (before it is written),
// and the wire accounting. Socket.IO's polling requests are counted here
// before engine.io takes them over (its latency is added per packet instead,
// and its bodies, written by engine.io, are not split out from the wire bytes).
import type { FastifyInstance } from 'fastify';
import type { RequestStep } from '../http/request-hooks.js';
import type { Lab } from './lab.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The transport this request belongs to, looked up once in onRequest. */
    labTransport: ReturnType<Lab['httpTransportOf']>;
  }
}

/** Per keep-alive socket: its bytesRead when its last response was written. */
const readAtLastResponse = new WeakMap<object, number>();

/**
 * The lab's part of the server's onRequest hook (src/http/request-hooks.ts):
 * finds the request's transport, counts it, delays it. A callback, not a
 * promise: without an impairment set it finishes synchronously.
 */
export function labRequestStep(lab: Lab): RequestStep {
  return (request, reply, done) => {
    const match = lab.httpTransportOf(request.url);
    request.labTransport = match;
    // One 'finish' listener per request (`on`, not `once`: the response object
    // is this request's alone). Bytes in: what the socket read since its
    // previous response is this request (browsers do not pipeline). Marked for
    // every request, so a page's own requests on a shared socket are not
    // charged to a transport. Bytes out: a keep-alive socket carries one
    // request at a time, so its byte delta over this response is this
    // response (a stream that took the socket over, like SSE's, is counted by
    // watchSocket instead, as it goes).
    const { socket } = request.raw;
    const writtenBefore = socket.bytesWritten;
    reply.raw.on('finish', () => {
      const readBefore = readAtLastResponse.get(socket) ?? 0;
      readAtLastResponse.set(socket, socket.bytesRead);
      if (!match) return;
      lab.stats.count(match.name, 'wireBytesIn', socket.bytesRead - readBefore);
      if (!lab.stats.watches(socket)) lab.stats.count(match.name, 'wireBytesOut', socket.bytesWritten - writtenBefore);
    });
    if (!match) return done();
    const { name, attachment } = match;
    lab.stats.count(name, 'requests');
    if (attachment.delayHttp) lab.queue(name, 'in').push(() => done());
    else done();
  };
}

/** The lab's onSend hook (payload bytes, delayed answers); its onRequest part is labRequestStep. */
export function addLabHttpHooks(fastify: FastifyInstance, lab: Lab): void {
  fastify.decorateRequest('labTransport', undefined);

  // A callback hook, not an async one: every poll passes through it, and
  // without an impairment set it finishes synchronously (no promise per hook).
  fastify.addHook('onSend', (request, _reply, payload, done) => {
    const match = request.labTransport;
    if (!match) return done(null, payload);
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      lab.stats.count(match.name, 'payloadBytesOut', Buffer.byteLength(payload));
    }
    if (match.attachment.delayHttp) lab.queue(match.name, 'out').push(() => done(null, payload));
    else done(null, payload);
  });
}
