// Socket.IO on its default path `/socket.io/`: HTTP long polling first, then
// an upgrade to WebSocket when the network allows. The engine is bound by
// hand (not attached to the http.Server) so its polling requests are Fastify
// routes and its upgrades go through the shared upgrade router.
import { Server as EngineServer } from 'engine.io';
import { Server, type DefaultEventsMap, type Socket } from 'socket.io';
import { parseSendInput, type ChatError, type Message } from '../chat/message.js';
import { appendError } from '../chat/room.js';
import { catchupFor, withCatchup } from './catchup.js';
import { parseCursor, type Cursor } from './cursor.js';
import { clientIp } from './guard.js';
import { isOriginAllowed } from './origin.js';
import type { TransportPlugin } from './types.js';

export const SOCKETIO_PATH = '/socket.io/';
/** The Socket.IO room of the welcomed sockets: live messages go to them only. */
const LIVE = 'live';

export type SendAck = { ok: true; message: Message } | { ok: false; error: ChatError };

export const socketio: TransportPlugin = (fastify, { room, options, lab, guard }) => {
  const engine = new EngineServer({
    maxHttpBufferSize: options.maxPayloadBytes,
    pingInterval: 25_000,
    pingTimeout: 20_000,
    allowRequest: (req, callback) => {
      const allowed = isOriginAllowed(req, options.allowedOrigins);
      callback(allowed ? null : `origin ${req.headers.origin} is not allowed`, allowed);
    },
    ...(options.allowedOrigins.length > 0 && { cors: { origin: options.allowedOrigins } }),
  });
  // Every session id starts with the node's id, so a load balancer in front of
  // several nodes can send a session's requests to its node by the `sid` query parameter.
  const randomSessionId = engine.generateId.bind(engine);
  engine.generateId = async (req) => `${fastify.nodeId}.${await randomSessionId(req)}`;
  const io = new Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, { cursor: Cursor }>({
    path: SOCKETIO_PATH,
    serveClient: false,
  });
  io.bind(engine);
  // The lab's added latency is applied per packet (polling or WebSocket alike), each direction, in order.
  const inbound = lab.queue('socketio', 'in');
  const outbound = lab.queue('socketio', 'out');
  lab.attach('socketio', {
    httpPrefix: SOCKETIO_PATH,
    connections: () => io.of('/').sockets.size,
    drop: () => {
      const cut = io.of('/').sockets.size;
      io.disconnectSockets(true);
      return cut;
    },
  });

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
    lab.stats.watchSocket('socketio', socket);
    engine.handleUpgrade(req, socket, head);
  });

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { since?: unknown; epoch?: unknown };
    const cursor = parseCursor(auth.since, auth.epoch);
    if (!cursor.ok) return next(Object.assign(new Error(cursor.error.message), { data: cursor.error }));
    socket.data.cursor = cursor.value;
    const releaseSlot = guard.connections.tryOpen(clientIp(socket.request));
    if (!releaseSlot) {
      const error = { code: 'too_many_connections', message: 'too many connections from this address' };
      return next(Object.assign(new Error(error.message), { data: error }));
    }
    socket.on('disconnect', releaseSlot);
    next();
  });

  io.on('connection', (socket) => {
    const { since, epoch } = socket.data.cursor;
    // A socket joins the "live" room once its catch-up is queued: broadcasts go there.
    withCatchup(catchupFor(room, since, epoch), (catchup) => {
      if (!socket.connected) return;
      outbound.push(() => {
        const { epoch: current, cursor, reset } = catchup;
        socket.emit('welcome', { epoch: current, cursor, nodeId: fastify.nodeId, ...(reset && { reset: true }) });
        for (const message of catchup.messages) socket.emit('message', message);
      });
      void socket.join(LIVE);
    });

    const admitAndAppend = async (input: unknown): Promise<SendAck> => {
      const parsed = parseSendInput(input);
      if (!parsed.ok) return { ok: false, error: parsed.error };
      const admission = guard.admitSend(`sio:${socket.id}`, clientIp(socket.request));
      if (!admission.ok) return { ok: false, error: admission.error };
      try {
        return { ok: true, message: (await room.append(parsed.value, 'socketio')).message };
      } catch (error) {
        return { ok: false, error: appendError(error) };
      }
    };
    socket.on('send', (input: unknown, ack: unknown) => {
      if (!isAck(ack)) return; // nobody to answer
      inbound.push(() => {
        void admitAndAppend(input).then((reply) => outbound.push(() => ack(reply)));
      });
    });
    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === 'send') return;
      const ack = args.at(-1);
      const error: ChatError = { code: 'unknown_event', message: `unknown event ${JSON.stringify(event)}` };
      if (isAck(ack)) ack({ ok: false, error });
    });
  });

  // A broadcast encodes the packet once for all its sockets: the ones of this
  // moment (one that connects while the packet is delayed has it in its catch-up).
  const unsubscribe = room.subscribe((message) => {
    // A consumer this far behind would only grow our memory: cut it.
    for (const socket of io.of('/').sockets.values()) {
      if (bufferedBytes(socket) > options.maxBufferedBytes) cutOff(socket);
    }
    // The usual case, no impairment: everyone connected, without listing them
    // (a room made of thousands of socket ids costs more than the send).
    if (outbound.passThrough) return void io.to(LIVE).emit('message', message);
    const targets = [...(io.of('/').adapter.rooms.get(LIVE) ?? [])];
    if (targets.length > 0) outbound.push(() => io.to(targets).emit('message', message));
  });

  // A new epoch (Redis lost its data): each client reconnects with its old
  // epoch and gets exactly one reset with the new history.
  const unwatchEpoch = room.onEpochChange(() => io.disconnectSockets(true));

  fastify.addHook('preClose', (done) => {
    unsubscribe();
    unwatchEpoch();
    // Closes every client at once. (io.disconnectSockets would make each
    // polling client wait up to 30 s for its next poll, holding the close.)
    engine.close();
    done();
  });
};

/** A client's acknowledgement callback (any function it passed: Socket.IO calls it with our reply). */
function isAck(value: unknown): value is (reply: SendAck) => void {
  return typeof value === 'function';
}

/**
 * What the server holds for one Socket.IO client and has not handed to the
 * kernel: engine.io's packet queue (it grows while the transport is busy or,
 * on polling, while the client does not poll) plus the ws send buffer.
 */
function bufferedBytes(socket: Socket): number {
  const conn = engineSocket(socket);
  let bytes = conn.transport.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer) bytes += typeof packet.data === 'string' ? packet.data.length : 64;
  return bytes;
}

/** Closes at once, dropping what is queued (a plain close would wait for the queue to drain). */
function cutOff(socket: Socket): void {
  const conn = engineSocket(socket);
  const ws = conn.transport.socket;
  conn.close(true);
  ws?.terminate?.();
}

/** The engine.io internals read above; not in its type declarations. */
function engineSocket(socket: Socket): {
  writeBuffer: Array<{ data?: unknown }>;
  transport: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard: boolean): void;
} {
  return socket.conn as unknown as ReturnType<typeof engineSocket>;
}
