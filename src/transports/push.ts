// The life of a pushed connection, shared by every transport whose server
// writes to a connection it holds (WebSocket, Socket.IO, Server-Sent Events).
// As in engine.io's lib/transport.ts, this base owns the state and each
// transport only does its I/O: how to write a frame, how much is buffered,
// how to close. The base does admission (origin, cursor, connection slot),
// the welcome and catch-up (charged to the address's catch-up byte budget, and
// written in chunks as fast as the peer takes them), the
// cut of a persistent flooder, the room subscription with one encoding per
// broadcast, the lab's delay queues, gauges and drop, the slow-consumer cut,
// the heartbeat and shutdown, and what a room shared through Redis adds: the
// node id in every welcome, a catch-up that may wait for this node's mirror,
// a retryable error while Redis is down, every connection closed when the
// room starts over under a new epoch.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { parseSendInput, type ChatError, type Message } from '../chat/message.js';
import { appendError } from '../chat/room.js';
import type { TransportName } from '../chat/transports.js';
import type { DelayQueue } from '../lab/delay-queue.js';
import { catchupFor, withCatchup } from './catchup.js';
import { parseClientId } from './client-id.js';
import { parseCursor, type Cursor } from './cursor.js';
import { approxMessageBytes, clientIp } from './guard.js';
import { isOriginAllowed } from './origin.js';
import type { TransportContext } from './types.js';

/** What the server pushes on a connection: one welcome (the catch-up header), then messages. */
export type PushEvent =
  | {
      type: 'welcome';
      epoch: string;
      /** The room's last id: the client is in sync once it has it. */
      cursor: number;
      reset?: true;
      /** The server node that answers (several can share one room through Redis). */
      nodeId: string;
      /** The id this connection's messages continue after (the catch-up's first id - 1, or `cursor`). */
      resumesAfter: number;
    }
  | { type: 'message'; message: Message };

/** Who sent a message, for the rate limit. */
export interface Sender {
  key: string;
  ip: string;
}

export type SendResult = { ok: true; message: Message } | { ok: false; error: ChatError; persistent?: boolean };

/** Frees a connection's place under the per-IP cap; calling it twice is harmless. */
export type ReleaseSlot = () => void;

/** What a client names in its handshake (query string or Socket.IO `auth`), unparsed. */
export interface Handshake {
  since: unknown;
  epoch: unknown;
  /** Its client id (optional; see client-id.ts). */
  client: unknown;
}

export type Admission =
  | { ok: true; cursor: Cursor; clientId: string | undefined; releaseSlot: ReleaseSlot }
  | { ok: false; status: 400 | 403 | 429; error: ChatError; retryAfterMs?: number };

/** One open connection as the base sees it: the transport wraps its socket in this. */
export interface PushPeer<Frame> {
  /** Who it counts as among the participants: the client id of its handshake, else a key of its own connection. */
  readonly participant: string;
  write(frame: Frame): void;
  /** Bytes held for this peer and not yet taken by the kernel. */
  bufferedBytes(): number;
  /**
   * Calls `then` once the peer's buffered bytes have gone down (its socket
   * drained), or on the next turn when there is nothing to wait for. Never
   * after the peer closed.
   */
  whenDrained(then: () => void): void;
  /**
   * Close politely; the client reconnects and resumes. `restart`: the room
   * started over under a new epoch (the client gets its reset on reconnect).
   */
  close(reason: 'shutdown' | 'restart'): void;
  /** Cut at once, dropping what is queued (lab drop, slow consumer, missed pong). */
  terminate(): void;
  /** Policy close of a sender that keeps sending into its rate limit (WebSocket 1008, Socket.IO disconnect, SSE stream end). */
  expel(): void;
  /** Heartbeat at the ping interval; absent when the library keeps its own. */
  ping?(): void;
  /** A ping must be answered (see PushTransport.alive) before the next, or the peer is cut. */
  readonly answersPings?: boolean;
}

/** The header fields of a welcome, as every transport puts them on the wire. */
export function welcomeHeader(event: Extract<PushEvent, { type: 'welcome' }>): {
  epoch: string;
  cursor: number;
  nodeId: string;
  reset?: true;
} {
  return { epoch: event.epoch, cursor: event.cursor, nodeId: event.nodeId, ...(event.reset && { reset: true }) };
}

/** PushPeer.whenDrained for a peer that writes straight to a TCP socket (WebSocket, SSE). */
export function whenSocketDrained(socket: Duplex, then: () => void): void {
  if (socket.writableNeedDrain) socket.once('drain', then);
  else setImmediate(then);
}

/**
 * A catch-up goes out in chunks of about this many bytes, the next one only
 * once the peer's buffer is below it again: a slow reader that resumes from an
 * old cursor holds about two chunks of our memory, not its whole backlog.
 */
export const CATCHUP_CHUNK_BYTES = 64 * 1024;

const TOO_MANY_CONNECTIONS: ChatError = { code: 'too_many_connections', message: 'too many connections from this address' };
const CATCHUP_BUDGET: ChatError = { code: 'catchup_budget', message: 'too much history asked from this address, retry later' };

export abstract class PushTransport<Frame, Peer extends PushPeer<Frame> = PushPeer<Frame>> {
  /** Open connections: the ones live messages go to. */
  protected readonly peers = new Set<Peer>();
  /**
   * Open connections not live yet: their catch-up waits for the room (a Redis
   * room's mirror behind their cursor) or is still being written. They get no broadcast.
   */
  protected readonly pending = new Set<Peer>();
  /** The lab's added latency, each direction, in order. */
  protected readonly inbound: DelayQueue;
  protected readonly outbound: DelayQueue;
  /**
   * Takes the guard's connection slot for a request. Replaceable, and callable
   * ahead of `admit` (e.g. in Engine.IO's allowRequest, before its handshake).
   */
  acquireSlot: (req: IncomingMessage) => ReleaseSlot | undefined;
  readonly #unanswered = new WeakSet<Peer>();
  /** Each peer's sends, one after the other (an append may be asynchronous). */
  readonly #sendChains = new WeakMap<Peer, Promise<void>>();

  constructor(
    readonly name: TransportName,
    protected readonly fastify: FastifyInstance,
    protected readonly context: TransportContext,
    lab: { httpPrefix?: string; delayHttp?: boolean } = {},
  ) {
    const { room, options, guard } = context;
    this.acquireSlot = (req) => guard.connections.tryOpen(clientIp(req));
    this.inbound = context.lab.queue(name, 'in');
    this.outbound = context.lab.queue(name, 'out');
    context.lab.attach(name, {
      ...lab,
      connections: () => this.peers.size + this.pending.size,
      clientIds: () => [...this.peers, ...this.pending].map((peer) => peer.participant),
      drop: () => {
        const open = [...this.peers, ...this.pending];
        for (const peer of open) peer.terminate();
        return open.length;
      },
    });

    // No live client: nothing to encode (one that connects later has the message in its catch-up).
    const unsubscribe = room.subscribe((message) => {
      if (this.peers.size > 0) this.broadcast(message);
    });
    // A new epoch (Redis lost its data): each client reconnects with its old epoch and gets exactly one reset.
    const unwatchEpoch = room.onEpochChange(() => this.closeAll('restart'));
    const heartbeat = setInterval(() => this.#heartbeat(), options.pingIntervalMs);
    heartbeat.unref();
    fastify.addHook('preClose', (done) => {
      unsubscribe();
      unwatchEpoch();
      clearInterval(heartbeat);
      this.closeAll('shutdown');
      done();
    });
    fastify.addHook('onClose', (_instance, done) => {
      for (const peer of [...this.peers, ...this.pending]) peer.terminate();
      done();
    });
  }

  /** Encodes one event for the wire. A broadcast calls it once, whatever the number of peers. */
  protected abstract encode(event: PushEvent): Frame;

  /**
   * Before the transport's handshake: the origin (against Cross-Site
   * WebSocket Hijacking and its SSE cousin), the cursor and client id, the catch-up it
   * asks for (charged to the address's byte budget: 429 with `retryAfterMs`
   * when short), and a connection slot (`slot` when one was taken earlier,
   * else one is taken now).
   */
  admit(req: IncomingMessage, { since, epoch, client }: Handshake, slot?: ReleaseSlot): Admission {
    const refuse = (status: 400 | 403 | 429, error: ChatError, retryAfterMs?: number): Admission => {
      slot?.();
      return { ok: false, status, error, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    };
    if (!isOriginAllowed(req, this.context.options.allowedOrigins)) {
      return refuse(403, { code: 'forbidden_origin', message: `origin ${req.headers.origin} is not allowed` });
    }
    const cursor = parseCursor(since, epoch);
    if (!cursor.ok) return refuse(400, cursor.error);
    const clientId = parseClientId(client);
    if (!clientId.ok) return refuse(400, clientId.error);
    const { since: from, epoch: of } = cursor.value;
    const backlog = this.context.guard.admitCatchup(clientIp(req), this.context.room.since(from, of).messages);
    if (!backlog.ok) return refuse(429, CATCHUP_BUDGET, backlog.retryAfterMs);
    const releaseSlot = slot ?? this.acquireSlot(req);
    if (!releaseSlot) return refuse(429, TOO_MANY_CONNECTIONS);
    return { ok: true, cursor: cursor.value, clientId: clientId.value, releaseSlot };
  }

  /**
   * A connection is open: the welcome and its catch-up go out, then every live
   * message. Synchronous unless the room must settle the cursor first or the
   * peer is slower than its catch-up; live messages follow it in the same tick.
   */
  protected open(peer: Peer, cursor: Cursor): void {
    this.pending.add(peer);
    this.context.lab.stats.seen(this.name, peer.participant);
    withCatchup(catchupFor(this.context.room, cursor.since, cursor.epoch), (catchup) => {
      if (!this.pending.has(peer)) return; // closed while waiting
      const resumesAfter = catchup.messages.length > 0 ? catchup.messages[0]!.id - 1 : catchup.cursor;
      const welcome: PushEvent = {
        type: 'welcome',
        epoch: catchup.epoch,
        cursor: catchup.cursor,
        ...(catchup.reset && { reset: true }),
        nodeId: this.fastify.nodeId,
        resumesAfter,
      };
      const frame = this.encode(welcome);
      this.outbound.push(() => this.#writeCatchup(peer, catchup.epoch, resumesAfter, [frame]));
    });
  }

  /**
   * Writes the messages after `after` from the room's log (not a copy held
   * per peer), chunk by chunk while the peer takes them, waiting for its
   * drain when it does not; the last chunk and going live happen in one tick,
   * so the broadcasts that follow carry exactly the messages after it.
   */
  #writeCatchup(peer: Peer, epoch: string, after: number, head: Frame[] = []): void {
    if (!this.pending.has(peer)) return; // closed meanwhile
    let last = after;
    let frames = head;
    for (;;) {
      const rest = this.context.room.since(last, epoch);
      // A reader this slow let its cursor fall out of the history: cut, it reconnects and is told (reset).
      if (rest.reset) return peer.terminate();
      let bytes = 0;
      let taken = 0;
      for (const message of rest.messages) {
        if (bytes >= CATCHUP_CHUNK_BYTES) break;
        frames.push(this.encode({ type: 'message', message }));
        bytes += approxMessageBytes(message);
        last = message.id;
        taken++;
      }
      this.#write(peer, frames);
      frames = [];
      if (taken === rest.messages.length) {
        this.pending.delete(peer);
        this.peers.add(peer);
        return;
      }
      if (peer.bufferedBytes() >= CATCHUP_CHUNK_BYTES) {
        const resumeAfter = last;
        return peer.whenDrained(() => this.#writeCatchup(peer, epoch, resumeAfter));
      }
    }
  }

  /** The connection ended, whatever the reason. */
  protected closed(peer: Peer): void {
    this.peers.delete(peer);
    this.pending.delete(peer);
  }

  /** A pong (or any sign of life) from the peer. */
  protected alive(peer: Peer): void {
    this.#unanswered.delete(peer);
  }

  /** Frames to one peer, after the added latency. */
  protected sendLater(peer: Peer, frames: Frame[]): void {
    this.outbound.push(() => this.#write(peer, frames));
  }

  #write(peer: Peer, frames: Frame[]): void {
    for (const frame of frames) {
      this.#countPayload(frame, 1);
      peer.write(frame);
    }
  }

  /**
   * Something the peer sent, after the added latency, one at a time per peer
   * (so its sends are appended in the order it sent them, even if an append waits).
   */
  protected receive(peer: Peer, handle: () => void | Promise<void>): void {
    this.inbound.push(() => {
      const previous = this.#sendChains.get(peer) ?? Promise.resolve();
      this.#sendChains.set(
        peer,
        previous.then(handle).catch((error: unknown) => this.fastify.log.error({ err: error }, 'send failed')),
      );
    });
  }

  /**
   * One send from `peer`: checked, admitted by the rate limit (`sender.key`
   * namespaced per transport), appended, then handed to `answer` (which queues
   * the transport's reply). While the room's store (Redis) is unreachable the
   * result is a retryable error. A sender that keeps sending into its rate
   * limit is expelled, behind its answer in the outbound queue.
   */
  protected async appendFrom(peer: Peer, sender: Sender, input: unknown, answer: (result: SendResult) => void): Promise<void> {
    const result = await this.#append(sender, input);
    answer(result);
    if (!result.ok && result.persistent) this.expelLater(peer);
  }

  async #append(sender: Sender, input: unknown): Promise<SendResult> {
    const parsed = parseSendInput(input);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    try {
      const admission = await this.context.guard.admitSend(sender.key, sender.ip);
      if (!admission.ok) return { ok: false, error: admission.error, persistent: admission.persistent };
      const { message } = await this.context.room.append(parsed.value, this.name);
      return { ok: true, message };
    } catch (error) {
      return { ok: false, error: appendError(error) };
    }
  }

  /** Expels `peer` once what is queued for it has gone out. */
  protected expelLater(peer: Peer): void {
    this.outbound.push(() => peer.expel());
  }

  /** One message to every peer of this moment, at least one (one that connects while it is delayed has it in its catch-up). */
  protected broadcast(message: Message): void {
    const frame = this.encode({ type: 'message', message });
    const targets = [...this.peers];
    this.#countPayload(frame, targets.length);
    this.outbound.push(() => {
      for (const peer of targets) {
        if (!this.peers.has(peer)) continue;
        if (this.isTooSlow(peer)) peer.terminate();
        else peer.write(frame);
      }
    });
  }

  /** A consumer this far behind would only grow our memory: it is cut. */
  protected isTooSlow(peer: Peer): boolean {
    return peer.bufferedBytes() > this.context.options.maxBufferedBytes;
  }

  /** Shutdown or a new epoch: every peer is asked to close. */
  protected closeAll(reason: 'shutdown' | 'restart'): void {
    for (const peer of [...this.peers, ...this.pending]) peer.close(reason);
  }

  #heartbeat(): void {
    // Peers still catching up too: a reader that stopped reading is found out the same way.
    for (const peer of [...this.peers, ...this.pending]) {
      if (!peer.ping) continue;
      if (peer.answersPings) {
        if (this.#unanswered.has(peer)) {
          peer.terminate();
          continue;
        }
        this.#unanswered.add(peer);
      }
      peer.ping();
    }
  }

  #countPayload(frame: Frame, copies: number): void {
    if (typeof frame === 'string') this.context.lab.stats.count(this.name, 'payloadBytesOut', Buffer.byteLength(frame) * copies);
    else if (Buffer.isBuffer(frame)) this.context.lab.stats.count(this.name, 'payloadBytesOut', frame.length * copies);
  }
}
