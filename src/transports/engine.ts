// Engine.IO, the layer under Socket.IO, on this server. The engine is bound by
// hand (not attached to the http.Server) so its polling requests are Fastify
// routes and its upgrades go through the shared upgrade router.
//
// Its sessions are admitted like every pushed connection, from the handshake
// on. The cap in Socket.IO's `io.use` comes after the Engine.IO handshake: a
// bare `GET /socket.io/?EIO=4&transport=polling` loop made sessions that each
// lived ~45 s (Socket.IO's wait for a namespace join, then a polling close that
// waits for a poll that never comes) and took the heap. Here every session is
// counted from its handshake, refused beyond the cap (403 before any session
// exists), and dropped at once when it has not joined the namespace within
// NAMESPACE_JOIN_MS.
import { Server as EngineServer, type Socket as EngineSocket } from 'engine.io';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import { clientIp } from './guard.js';
import { isOriginAllowed } from './origin.js';
import type { TransportContext } from './types.js';

/** The engine.io internals a session is read through; not in its type declarations. */
interface EngineInternals {
  writeBuffer: Array<{ data?: unknown }>;
  transport: {
    /** False while it sends (WebSocket: until the kernel took the last packet) or, on polling, until the client polls. */
    writable: boolean;
    socket?: { bufferedAmount?: number; terminate?: () => void };
    once(event: 'drain', listener: () => void): void;
  };
  close(discard: boolean): void;
  once(event: 'upgrade', listener: () => void): void;
  off(event: 'upgrade', listener: () => void): void;
}

/** An Engine.IO session as a pushed connection sees it (PushPeer's I/O below Socket.IO). */
export class EngineSession {
  readonly #conn: EngineInternals;
  constructor(conn: EngineSocket) {
    this.#conn = conn as unknown as EngineInternals;
  }

  /** engine.io's packet queue (it grows while the transport is busy or, on polling, while the client does not poll) plus the ws send buffer. */
  bufferedBytes(): number {
    let bytes = this.#conn.transport.socket?.bufferedAmount ?? 0;
    for (const packet of this.#conn.writeBuffer) bytes += typeof packet.data === 'string' ? packet.data.length : 64;
    return bytes;
  }

  /** The transport's drain: what it was given is out (taken by the kernel, or a poll's answer sent); an upgrade also wakes. */
  whenDrained(then: () => void): void {
    const conn = this.#conn;
    if (conn.transport.writable && conn.writeBuffer.length === 0) return void setImmediate(then);
    let woken = false;
    const wake = (): void => {
      if (woken) return;
      woken = true;
      conn.off('upgrade', wake);
      then();
    };
    conn.transport.once('drain', wake);
    conn.once('upgrade', wake);
  }

  /** At once: a polite close would make each polling client wait up to 30 s for its next poll, holding the close. */
  close(): void {
    this.#conn.close(true);
  }

  /** Drops what is queued (a plain close would wait for the queue to drain). */
  terminate(): void {
    const ws = this.#conn.transport.socket;
    this.#conn.close(true);
    ws?.terminate?.();
  }
}

/** A real client sends its namespace CONNECT right after the handshake; a session that has not by then is dropped. */
export const NAMESPACE_JOIN_MS = 5_000;

/** Serves `io` on `path` through an Engine.IO server of its own; closed with Fastify. */
export function serveEngine(fastify: FastifyInstance, context: TransportContext, io: Server, path: string): EngineServer {
  const { options, guard, lab } = context;
  const engine = new EngineServer({
    maxHttpBufferSize: options.maxPayloadBytes,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    allowRequest: (req, callback) => {
      if (guard.engineSessions.count(clientIp(req)) >= guard.engineSessions.cap) {
        guard.engineSessions.refused++;
        return callback('too many connections from this address', false);
      }
      const allowed = isOriginAllowed(req, options.allowedOrigins);
      callback(allowed ? null : `origin ${req.headers.origin} is not allowed`, allowed);
    },
    ...(options.allowedOrigins.length > 0 && { cors: { origin: options.allowedOrigins } }),
  });
  // Every session id starts with the node's id, so a load balancer in front of
  // several nodes can send a session's requests to its node by the `sid` query parameter.
  const randomSessionId = engine.generateId.bind(engine);
  engine.generateId = async (req) => `${fastify.nodeId}.${await randomSessionId(req)}`;
  io.bind(engine);

  const joined = new WeakSet<EngineSocket>();
  io.on('connection', (socket) => joined.add(socket.conn));
  engine.on('connection', (session: EngineSocket) => {
    // Parallel handshakes may pass allowRequest together: the count here is the hard one.
    const release = guard.engineSessions.tryOpen(clientIp(session.request));
    // close(true) discards: a polling session is closed now, not at its next poll (which may never come).
    if (!release) return session.close(true);
    const timer = setTimeout(() => joined.has(session) || session.close(true), NAMESPACE_JOIN_MS);
    timer.unref();
    session.once('close', () => {
      clearTimeout(timer);
      release();
    });
  });

  // Polling requests: engine.io reads the raw body itself, so this scope
  // leaves every body unparsed and hands the request over untouched.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  fastify.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: path,
    handler: (request, reply) => {
      reply.hijack();
      engine.handleRequest(request.raw, reply.raw);
    },
  });
  fastify.upgrades.add(path, (req, socket, head) => {
    lab.stats.watchSocket('socketio', socket);
    engine.handleUpgrade(req, socket, head);
  });
  // After the push base closed its sockets (its preClose hook came first): handshakes not yet connected too.
  fastify.addHook('preClose', (done) => {
    engine.close();
    done();
  });
  return engine;
}
