// Raw WebSocket (`ws`) on `GET /ws?since=N&epoch=E`: one full-duplex
// connection; JSON text frames both ways. The connection's life is the push
// base's; this file reads and writes frames.
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ChatError } from '../chat/message.js';
import { connectionKey } from './client-id.js';
import { clientIp } from './guard.js';
import { PushTransport, welcomeHeader, type PushEvent, type PushPeer, type Sender } from './push.js';
import type { TransportPlugin } from './types.js';
import { refuseUpgrade } from './upgrade.js';

export const WS_PATH = '/ws';

const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY_VIOLATION = 1008;
const CLOSE_SERVICE_RESTART = 1012;
const REASONS = { 400: 'Bad Request', 403: 'Forbidden', 429: 'Too Many Requests' } as const;

class WebSocketPeer implements PushPeer<Buffer> {
  readonly answersPings = true;
  constructor(
    readonly ws: WebSocket,
    readonly sender: Sender,
    readonly participant: string,
  ) {}
  write(frame: Buffer): void {
    this.ws.send(frame, { binary: false });
  }
  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }
  close(reason: 'shutdown' | 'restart'): void {
    if (reason === 'restart') this.ws.close(CLOSE_SERVICE_RESTART, 'the room started over');
    else this.ws.close(CLOSE_GOING_AWAY, 'server shutting down');
  }
  terminate(): void {
    this.ws.terminate();
  }
  expel(): void {
    this.ws.close(CLOSE_POLICY_VIOLATION, 'rate limit exceeded');
  }
  ping(): void {
    this.ws.ping();
  }
}

class WebSocketTransport extends PushTransport<Buffer, WebSocketPeer> {
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: this.context.options.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  #connectionCount = 0;

  protected encode(event: PushEvent): Buffer {
    if (event.type === 'message') return frame(event);
    return frame({ type: 'welcome', ...welcomeHeader(event) });
  }

  upgrade(req: Parameters<WebSocketServer['handleUpgrade']>[0], socket: Duplex, head: Buffer): void {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const param = (name: string): string | undefined => query.get(name) ?? undefined;
    const admission = this.admit(req, { since: param('since'), epoch: param('epoch'), client: param('client') });
    if (!admission.ok) {
      const retryAfterSec = admission.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      return refuseUpgrade(socket, admission.status, REASONS[admission.status], admission.error.message, retryAfterSec);
    }
    // The handshake may still fail (bad headers); the slot is freed with the socket either way.
    socket.once('close', admission.releaseSlot);
    this.context.lab.stats.watchSocket('websocket', socket);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const sender = { key: `ws:${++this.#connectionCount}`, ip: clientIp(req) };
      const peer = new WebSocketPeer(ws, sender, admission.clientId ?? connectionKey(socket));
      ws.on('pong', () => this.alive(peer));
      ws.on('message', (data, isBinary) => this.receive(peer, () => this.#onFrame(peer, data, isBinary)));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => this.closed(peer));
      this.open(peer, admission.cursor);
    });
  }

  close(): void {
    this.#wss.close();
  }

  async #onFrame(peer: WebSocketPeer, data: RawData, isBinary: boolean): Promise<void> {
    const sendError = (error: ChatError, clientMsgId?: string): void =>
      this.sendLater(peer, [frame({ type: 'error', ...error, ...(clientMsgId !== undefined && { clientMsgId }) })]);
    if (isBinary) return sendError({ code: 'invalid_frame', message: 'frames must be JSON text' });
    let parsed: unknown;
    try {
      parsed = JSON.parse((data as Buffer).toString()); // text frames come as one Buffer
    } catch {
      return sendError({ code: 'invalid_json', message: 'frame is not valid JSON' });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return sendError({ code: 'invalid_frame', message: 'a frame is a JSON object with a "type"' });
    }
    const { type, ...input } = parsed as { type?: unknown } & Record<string, unknown>;
    const clientMsgId = typeof input.clientMsgId === 'string' ? input.clientMsgId : undefined;
    if (type !== 'send') return sendError({ code: 'unknown_type', message: `unknown frame type ${JSON.stringify(type)}` }, clientMsgId);
    const result = await this.appendFrom(peer.sender, input);
    if (!result.ok) {
      sendError(result.error, clientMsgId);
      return this.expelIfPersistent(peer, result);
    }
    this.sendLater(peer, [frame({ type: 'ack', clientMsgId: result.message.clientMsgId, id: result.message.id })]);
  }
}

const frame = (value: object): Buffer => Buffer.from(JSON.stringify(value));

export const websocket: TransportPlugin = (fastify, context) => {
  const transport = new WebSocketTransport('websocket', fastify, context);
  fastify.upgrades.add(WS_PATH, (req, socket, head) => transport.upgrade(req, socket, head));
  fastify.addHook('onClose', (_instance, done) => {
    transport.close();
    done();
  });
};
