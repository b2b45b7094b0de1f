// Socket.IO on its default path `/socket.io/`: HTTP long polling first, then
// an upgrade to WebSocket when the network allows, over the Engine.IO server
// of engine.ts. The connection's life is the push base's; this file speaks
// Socket.IO events.
import type { Server as EngineServer, Socket as EngineSocket } from 'engine.io';
import { Server, type Socket } from 'socket.io';
import type { ChatError, Message } from '../chat/message.js';
import type { Cursor } from './cursor.js';
import { connectionKey } from './client-id.js';
import { EngineSession, serveEngine } from './engine.js';
import { clientIp } from './guard.js';
import { PushTransport, welcomeHeader, type PushEvent, type PushPeer, type Sender } from './push.js';
import type { TransportPlugin } from './types.js';

export const SOCKETIO_PATH = '/socket.io/';

export type SendAck = { ok: true; message: Message } | { ok: false; error: ChatError };

/** What the handshake middleware leaves for the connection handler. */
interface SocketData {
  cursor: Cursor;
  clientId: string | undefined;
}

/** A packet as engine.io hands its 'flush' listeners (not in its type declarations). */
interface EnginePacket {
  type: string;
  data?: unknown;
}

/** Socket.IO encodes its own packets: a "frame" here is the event to emit. Buffering, drain and cuts are its Engine.IO session's. */
class SocketIoPeer extends EngineSession implements PushPeer<PushEvent> {
  readonly sender: Sender;
  constructor(
    readonly socket: Socket,
    readonly participant: string,
  ) {
    super(socket.conn);
    this.sender = { key: `sio:${socket.id}`, ip: clientIp(socket.request) };
  }
  write(event: PushEvent): void {
    if (event.type === 'message') this.socket.emit('message', event.message);
    else this.socket.emit('welcome', welcomeHeader(event));
  }
  /** As WebSocket's 1008: the client is told (`disconnect` with reason "io server disconnect") and does not reconnect by itself. */
  expel(): void {
    this.socket.disconnect(true);
  }
}

class SocketIoTransport extends PushTransport<PushEvent, SocketIoPeer> {
  readonly io = new Server({ path: SOCKETIO_PATH, serveClient: false });

  listen(engine: EngineServer): void {
    engine.on('connection', (session: EngineSocket) => {
      session.on('flush', (packets: EnginePacket[]) => this.#countFlush(session.transport.name, packets));
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
        this.receive(peer, () =>
          this.appendFrom(peer, peer.sender, input, (result) => {
            const reply: SendAck = result.ok ? result : { ok: false, error: result.error };
            this.outbound.push(() => answer(reply));
          }),
        );
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
    // A socket not live yet (see PushTransport.pending) gets its messages from its catch-up.
    if (this.outbound.passThrough && this.pending.size === 0) return void this.io.emit('message', message);
    const targets = [...this.peers].map((peer) => peer.socket.id);
    if (targets.length > 0) this.outbound.push(() => this.io.to(targets).emit('message', message));
  }
}

export const socketio: TransportPlugin = (fastify, context) => {
  const transport = new SocketIoTransport('socketio', fastify, context, { httpPrefix: SOCKETIO_PATH });
  transport.listen(serveEngine(fastify, context, transport.io, SOCKETIO_PATH));
};
