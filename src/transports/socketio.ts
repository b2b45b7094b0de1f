// Socket.IO on its default path `/socket.io/`: HTTP long polling first, then
// an upgrade to WebSocket when the network allows. The engine is bound by
// hand (not attached to the http.Server) so its polling requests are Fastify
// routes and its upgrades go through the shared upgrade router. The
// connection's life is the push base's; this file speaks Socket.IO events.
import { Server as EngineServer } from 'engine.io';
import { Server, type Socket } from 'socket.io';
import type { ChatError, Message } from '../chat/message.js';
import type { Cursor } from './cursor.js';
import { capEngineSessions } from './engine-sessions.js';
import { connectionKey } from './client-id.js';
import { clientIp } from './guard.js';
import { isOriginAllowed } from './origin.js';
import { PushTransport, welcomeHeader, type PushEvent, type PushPeer, type Sender } from './push.js';
import type { TransportPlugin } from './types.js';

export const SOCKETIO_PATH = '/socket.io/';

export type SendAck = { ok: true; message: Message } | { ok: false; error: ChatError };

/** What the handshake middleware leaves for the connection handler. */
interface SocketData {
  cursor: Cursor;
  clientId: string | undefined;
}

/** The engine.io internals a peer reads; not in its type declarations. */
interface EngineConnection {
  writeBuffer: Array<{ data?: unknown }>;
  transport: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard: boolean): void;
}

/** What engine.io hands its 'flush' listeners (not in its type declarations). */
interface EnginePacket {
  type: string;
  data?: unknown;
}
interface FlushingConnection {
  transport: { name: string };
  on(event: 'flush', listener: (packets: EnginePacket[]) => void): unknown;
}

/** Socket.IO encodes its own packets: a "frame" here is the event to emit. */
class SocketIoPeer implements PushPeer<PushEvent> {
  readonly sender: Sender;
  readonly #conn: EngineConnection;
  constructor(
    readonly socket: Socket,
    readonly participant: string,
  ) {
    this.sender = { key: `sio:${socket.id}`, ip: clientIp(socket.request) };
    this.#conn = socket.conn as unknown as EngineConnection;
  }
  write(event: PushEvent): void {
    if (event.type === 'message') this.socket.emit('message', event.message);
    else this.socket.emit('welcome', welcomeHeader(event));
  }
  /** engine.io's packet queue (it grows while the transport is busy or, on polling, while the client does not poll) plus the ws send buffer. */
  bufferedBytes(): number {
    let bytes = this.#conn.transport.socket?.bufferedAmount ?? 0;
    for (const packet of this.#conn.writeBuffer) bytes += typeof packet.data === 'string' ? packet.data.length : 64;
    return bytes;
  }
  /** At once: a polite disconnect would make each polling client wait up to 30 s for its next poll, holding the close. */
  close(): void {
    this.#conn.close(true);
  }
  /** Drops what is queued (a plain close would wait for the queue to drain). */
  terminate(): void {
    const ws = this.#conn.transport.socket;
    this.#conn.close(true);
    ws?.terminate?.();
  }
  /** As WebSocket's 1008: the client is told (`disconnect` with reason "io server disconnect") and does not reconnect by itself. */
  expel(): void {
    this.socket.disconnect(true);
  }
}

class SocketIoTransport extends PushTransport<PushEvent, SocketIoPeer> {
  readonly engine = new EngineServer({
    maxHttpBufferSize: this.context.options.maxPayloadBytes,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    allowRequest: (req, callback) => {
      const allowed = isOriginAllowed(req, this.context.options.allowedOrigins);
      callback(allowed ? null : `origin ${req.headers.origin} is not allowed`, allowed);
    },
    ...(this.context.options.allowedOrigins.length > 0 && { cors: { origin: this.context.options.allowedOrigins } }),
  });
  readonly io = new Server({ path: SOCKETIO_PATH, serveClient: false });

  listen(): void {
    // Every session id starts with the node's id, so a load balancer in front of
    // several nodes can send a session's requests to its node by the `sid` query parameter.
    const randomSessionId = this.engine.generateId.bind(this.engine);
    this.engine.generateId = async (req) => `${this.fastify.nodeId}.${await randomSessionId(req)}`;
    this.io.bind(this.engine);
    capEngineSessions(this.engine, this.io, this.context.guard);
    this.engine.on('connection', (conn: FlushingConnection) => {
      conn.on('flush', (packets: EnginePacket[]) => this.#countFlush(conn.transport.name, packets));
    });
    this.io.use((socket, next) => {
      const auth = socket.handshake.auth as { since?: unknown; epoch?: unknown; client?: unknown };
      const admission = this.admit(socket.request, { since: auth.since, epoch: auth.epoch, client: auth.client });
      if (!admission.ok) {
        const data = { ...admission.error, ...(admission.retryAfterMs !== undefined && { retryAfterMs: admission.retryAfterMs }) };
        return next(Object.assign(new Error(admission.error.message), { data }));
      }
      Object.assign(socket.data as SocketData, { cursor: admission.cursor, clientId: admission.clientId });
      socket.on('disconnect', admission.releaseSlot);
      next();
    });
    this.io.on('connection', (socket: Socket) => {
      const data = socket.data as SocketData;
      const peer = new SocketIoPeer(socket, data.clientId ?? connectionKey(socket));
      socket.on('disconnect', () => this.closed(peer));
      socket.on('send', (input: unknown, ack: unknown) => {
        if (typeof ack !== 'function') return; // nobody to answer
        const answer = ack as (reply: SendAck) => void;
        this.receive(peer, async () => {
          const result = await this.appendFrom(peer.sender, input);
          const reply: SendAck = result.ok ? result : { ok: false, error: result.error };
          this.outbound.push(() => answer(reply));
          this.expelIfPersistent(peer, result);
        });
      });
      socket.onAny((event: string, ...args: unknown[]) => {
        if (event === 'send') return;
        const ack = args.at(-1);
        const error: ChatError = { code: 'unknown_event', message: `unknown event ${JSON.stringify(event)}` };
        if (typeof ack === 'function') (ack as (reply: SendAck) => void)({ ok: false, error });
      });
      this.open(peer, data.cursor);
    });
  }

  /**
   * engine.io writes Socket.IO's packets itself, so the lab's stats count
   * them here: the chat payload (its message packets) on either transport,
   * and on polling each flush answering one held GET, empty when it carries
   * no message (only a ping, or the noop that ends polling at an upgrade).
   */
  #countFlush(transport: string, packets: EnginePacket[]): void {
    const stats = this.context.lab.stats;
    let payloadBytes = 0;
    for (const packet of packets)
      if (packet.type === 'message' && typeof packet.data === 'string') payloadBytes += Buffer.byteLength(packet.data);
    if (payloadBytes > 0) stats.count(this.name, 'payloadBytesOut', payloadBytes);
    if (transport !== 'polling') return;
    stats.count(this.name, 'polls');
    if (payloadBytes === 0) stats.count(this.name, 'emptyPolls');
  }

  protected encode(event: PushEvent): PushEvent {
    return event;
  }

  /** Encodes the packet once for all its sockets, through Socket.IO's own broadcast. */
  protected override broadcast(message: Message): void {
    for (const peer of [...this.peers]) if (this.isTooSlow(peer)) peer.terminate();
    // The usual case, no impairment: everyone connected, without listing them
    // (a room made of thousands of socket ids costs more than the send).
    // A socket whose catch-up waits for the room (see PushTransport.open) gets its messages from that catch-up.
    if (this.outbound.passThrough && this.pending.size === 0) return void this.io.emit('message', message);
    const targets = [...this.peers].map((peer) => peer.socket.id);
    if (targets.length > 0) this.outbound.push(() => this.io.to(targets).emit('message', message));
  }
}

export const socketio: TransportPlugin = (fastify, context) => {
  const transport = new SocketIoTransport('socketio', fastify, context, { httpPrefix: SOCKETIO_PATH });
  transport.listen();
  const { engine } = transport;

  // Polling requests: engine.io reads the raw body itself, so this scope
  // leaves every body unparsed and hands the request over untouched.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  fastify.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: SOCKETIO_PATH,
    handler: (request, reply) => {
      reply.hijack();
      engine.handleRequest(request.raw, reply.raw);
    },
  });
  fastify.upgrades.add(SOCKETIO_PATH, (req, socket, head) => {
    context.lab.stats.watchSocket('socketio', socket);
    engine.handleUpgrade(req, socket, head);
  });
  // After the base closed its sockets: handshakes not yet connected too.
  fastify.addHook('preClose', (done) => {
    engine.close();
    done();
  });
};
