// Server-Sent Events: `GET /api/sse/messages?since=N&epoch=E` is one
// long-lived text/event-stream response; sends are POSTs to the same URL, as
// for the polling transports. Every event carries `id: <epoch>:<id>`, so the
// browser's EventSource resumes by itself (Last-Event-ID) after a cut. The
// connection's life is the push base's; this file writes the stream.
import type { ServerResponse } from 'node:http';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../http/errors.js';
import { STREAM_HEADERS } from '../http/security.js';
import { CURSOR_PATTERN } from './cursor.js';
import { ClientIdSchema, connectionKey } from './client-id.js';
import { clientIp } from './guard.js';
import { httpClientKey, messagesUrl, registerSendRoute } from './http-common.js';
import { PushTransport, welcomeHeader, whenSocketDrained, type PushEvent, type PushPeer } from './push.js';
import type { TransportPlugin } from './types.js';

/** How soon a browser's EventSource reconnects after a cut (its default is a few seconds). */
export const SSE_RETRY_MS = 1000;

const StreamQuerySchema = Type.Object({
  since: Type.Optional(Type.String({ pattern: CURSOR_PATTERN })),
  epoch: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** The client id its sends carry: the stream of a persistent flooder is ended. */
  client: Type.Optional(ClientIdSchema),
});
type StreamQuery = Static<typeof StreamQuerySchema>;

const LAST_EVENT_ID = new RegExp(`^([^\\s:]{1,64}):(${CURSOR_PATTERN.slice(1, -1)})$`);
const PING = Buffer.from(': ping\n\n');

class SsePeer implements PushPeer<Buffer> {
  constructor(
    readonly res: ServerResponse,
    /** The rate-limit key of its sends: `client=`, or without one the key all id-less senders of its address share. */
    readonly clientKey: string,
    readonly ip: string,
    readonly participant: string,
  ) {}
  write(frame: Buffer): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(frame);
  }
  bufferedBytes(): number {
    return this.res.writableLength + (this.res.socket?.writableLength ?? 0);
  }
  whenDrained(then: () => void): void {
    if (this.res.socket) whenSocketDrained(this.res.socket, then);
  }
  close(): void {
    this.res.end();
  }
  terminate(): void {
    this.res.destroy();
  }
  /** The stream ends; the client's EventSource reconnects after `retry` and finds its sends still limited. */
  expel(): void {
    this.res.end();
  }
  /** A comment line: keeps proxies from timing the stream out (EventSource ignores it). */
  ping(): void {
    this.write(PING);
  }
}

class SseTransport extends PushTransport<Buffer, SsePeer> {
  /**
   * A persistent flooder's sends (POSTs) have ended: so do its streams, those
   * with its key from its address. A stream without `client=` shares the key of
   * the id-less senders of its address, as their sends share one rate limit.
   */
  expelSender(clientKey: string, ip: string): void {
    for (const peer of this.peers) if (peer.clientKey === clientKey && peer.ip === ip) this.expelLater(peer);
  }

  protected encode(event: PushEvent): Buffer {
    if (event.type === 'message') {
      return Buffer.from(`id: ${this.context.room.epoch}:${event.message.id}\nevent: message\ndata: ${JSON.stringify(event.message)}\n\n`);
    }
    const data = JSON.stringify(welcomeHeader(event));
    // The welcome's id is where this stream's messages continue from: a cut before the first message resumes there.
    return Buffer.from(`retry: ${SSE_RETRY_MS}\nid: ${event.epoch}:${event.resumesAfter}\nevent: welcome\ndata: ${data}\n\n`);
  }

  /** Answers 400/403/429 as JSON before the stream, or takes the response over and streams. */
  stream(request: FastifyRequest<{ Querystring: StreamQuery }>, reply: FastifyReply): void {
    let { since, epoch }: { since?: string; epoch?: string } = request.query;
    // The browser's own reconnect names the last event it has: that wins over the query of the first request.
    const lastEventId = request.headers['last-event-id'];
    if (lastEventId !== undefined) {
      const match = typeof lastEventId === 'string' ? LAST_EVENT_ID.exec(lastEventId) : null;
      if (!match) return void sendError(reply, 400, { code: 'invalid_query', message: 'Last-Event-ID must be <epoch>:<id>' });
      [, epoch, since] = match;
    }
    const admission = this.admit(request.raw, { since, epoch, client: request.query.client });
    if (!admission.ok) {
      if (admission.retryAfterMs !== undefined) reply.header('Retry-After', String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))));
      return void sendError(reply, admission.status, admission.error);
    }

    // From here on the response is ours: Fastify sends nothing for it.
    reply.hijack();
    const res = reply.raw;
    const { client } = request.query;
    const peer = new SsePeer(res, httpClientKey(client), clientIp(request.raw), client ?? connectionKey(request.raw.socket));
    res.once('close', () => {
      admission.releaseSlot();
      this.closed(peer);
    });
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      // The API's nosniff and CORP (no no-store: a stream is never cached anyway); Fastify's reply headers never reach a hijacked stream.
      ...STREAM_HEADERS,
      // nginx and friends: do not buffer the stream.
      'X-Accel-Buffering': 'no',
      // The connection is the stream's alone: when it ends, so does the socket.
      Connection: 'close',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.context.lab.stats.watchSocket('sse', res.socket!, { readSoFar: false });
    this.open(peer, admission.cursor);
  }
}

export const sse: TransportPlugin = (fastify, context) => {
  const transport = new SseTransport('sse', fastify, context, { httpPrefix: messagesUrl('sse'), delayHttp: true });
  registerSendRoute(fastify, context, 'sse', (clientKey, ip) => transport.expelSender(clientKey, ip));
  fastify.get<{ Querystring: StreamQuery }>(messagesUrl('sse'), { schema: { querystring: StreamQuerySchema } }, (request, reply) =>
    transport.stream(request, reply),
  );
};
