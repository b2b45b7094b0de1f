// Socket.IO: the library connects (polling first, then an upgrade, unless a
// mode says otherwise) and reconnects by itself; we resume from our cursor
// through the handshake's `auth`.
import { io, type Socket } from 'socket.io-client';
import type { ChatError, Message, SendInput } from '../chat/message.js';
import { BaseClientTransport, byteLength, SendRefused, type CatchupHeader, type WireFields } from './base.js';
import { traceEngine } from './socketio-wire.js';
import type { ClientTransportOptions, SendReceipt, SocketIoMode } from './transport.js';

type SendAck = { ok: true; message: Message } | { ok: false; error: ChatError };

const TRANSPORTS: Record<SocketIoMode, Array<'polling' | 'websocket'>> = {
  auto: ['polling', 'websocket'],
  websocket: ['websocket'],
  polling: ['polling'],
};

export class SocketIoTransport extends BaseClientTransport {
  readonly name = 'socketio';
  readonly socketioMode: SocketIoMode;
  #socket: Socket | undefined;

  constructor(options: ClientTransportOptions) {
    super(options);
    this.socketioMode = options.socketioMode ?? 'auto';
  }

  protected open(): void {
    const socket = io(this.baseUrl, {
      path: '/socket.io/',
      transports: TRANSPORTS[this.socketioMode],
      forceNew: true,
      reconnectionDelay: 250,
      reconnectionDelayMax: 5000,
      // A function, so every reconnect resumes from the cursor as it is then.
      auth: (callback) => callback({ ...this.resumeQuery(), client: this.clientId }),
    });
    this.#socket = socket;
    // The engine outlives close() a moment (an upgrade may still finish): only the current connection may act.
    const generation = this.generation;
    const current = (): boolean => generation === this.generation;
    const engineDetail = (): string => {
      const name = socket.io.engine?.transport?.name ?? '';
      return this.socketioMode === 'auto' && name === 'websocket' ? 'polling -> websocket' : name;
    };

    // Engine.IO makes a new engine per (re)connection. The first exists as soon
    // as io() returns; later ones just after 'reconnect_attempt' (and surely at the manager's 'open').
    const watched = new WeakSet<object>();
    const tracer = { wire: (fields: WireFields) => this.wire(fields), wireStart: (fields: WireFields) => this.wireStart(fields) };
    const watchEngine = (): void => {
      const engine = socket.io.engine;
      if (!engine || watched.has(engine)) return;
      watched.add(engine);
      // A probe cut after its pong ("upgrading") leaves engine.io-client with
      // polling paused for good: nothing moves until a ping timeout (~45 s).
      // Closing the engine now makes the library reconnect (and resume) at once.
      let pollingPaused = false;
      engine.on('upgrading', () => (pollingPaused = true));
      engine.on('upgradeError', () => pollingPaused && closeEngine(socket));
      engine.on('upgrade', () => {
        pollingPaused = false;
        if (current()) this.setStatus('open', engineDetail());
      });
      engine.on('packet', (packet: { data?: unknown }) => this.#count('bytesIn', packet.data));
      engine.on('packetCreate', (packet: { data?: unknown }) => this.#count('bytesOut', packet.data));
      traceEngine(engine, tracer, this.socketioMode === 'auto');
      const transport = engine.transport;
      if (transport?.name === 'polling') {
        // Each poll is a GET, each drain the end of a POST.
        transport.on('poll', () => this.traffic.requests++);
        transport.on('drain', () => this.traffic.requests++);
      }
    };
    watchEngine();
    // A reconnect makes its engine (and sends its first request) right after this event.
    socket.io.on('reconnect_attempt', () => queueMicrotask(watchEngine));
    socket.io.on('open', watchEngine);
    socket.on('connect', () => this.setStatus('open', engineDetail()));
    socket.on('welcome', (header: CatchupHeader) => this.beginCatchup(header, true));
    socket.on('message', (message: Message) => this.deliver(message));
    socket.on('disconnect', (reason) => {
      // The library reconnects by itself except after a server-side disconnect.
      if (reason === 'io server disconnect') this.connectionLost(reason);
      else this.setStatus('reconnecting', reason);
    });
    socket.on('connect_error', (error: Error & { data?: ChatError }) => {
      if (error.data?.code) this.reportError(error.data);
      if (!socket.active) this.connectionLost(error.message);
      else this.setStatus('reconnecting', error.message);
    });
  }

  protected close(): void {
    this.#socket?.removeAllListeners();
    this.#socket?.disconnect();
    this.#socket = undefined;
  }

  protected async transmit(input: SendInput): Promise<SendReceipt> {
    const socket = this.#socket;
    // Not connected: fail now rather than let the library buffer a copy.
    if (!socket?.connected) throw new Error('not connected');
    const ack = (await socket.timeout(this.sendTimeoutMs).emitWithAck('send', input)) as SendAck;
    if (!ack.ok) throw new SendRefused(ack.error);
    return { id: ack.message.id };
  }

  #count(counter: 'bytesIn' | 'bytesOut', data: unknown): void {
    if (typeof data === 'string') this.traffic[counter] += byteLength(data);
  }
}

/**
 * engine.io-client's own close path. Its public close() would wait for the
 * upgrade to end, which after a failed probe never happens.
 */
function closeEngine(socket: Socket): void {
  (socket.io.engine as unknown as { _onClose(reason: string): void })._onClose('upgrade failed');
}
