// Raw WebSocket (`ws`) on `GET /ws?since=N&epoch=E`: one full-duplex
// connection; JSON text frames both ways.
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { ChatError } from '../chat/message.js';
import { parseSendInput } from '../chat/message.js';
import { appendError } from '../chat/room.js';
import { catchupFor, withCatchup } from './catchup.js';
import { isOriginAllowed } from './origin.js';
import { parseCursor } from './cursor.js';
import { clientIp } from './guard.js';
import type { TransportPlugin } from './types.js';
import { refuseUpgrade } from './upgrade.js';

export const WS_PATH = '/ws';

const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY_VIOLATION = 1008;
const CLOSE_SERVICE_RESTART = 1012;

export const websocket: TransportPlugin = (fastify, { room, options, lab, guard }) => {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  /** Welcomed clients: the ones live messages go to. */
  const clients = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  /** Each connection's rate-limit key and address. */
  const senders = new WeakMap<WebSocket, { key: string; ip: string }>();
  let connectionCount = 0;
  // The lab's added latency, each direction, in order.
  const inbound = lab.queue('websocket', 'in');
  const outbound = lab.queue('websocket', 'out');
  lab.attach('websocket', {
    connections: () => clients.size,
    drop: () => {
      const cut = clients.size;
      for (const ws of clients) ws.terminate();
      return cut;
    },
  });

  /** Frames to one client, after the added latency. */
  const sendLater = (ws: WebSocket, frames: object[]): void => {
    const encoded = frames.map((frame) => JSON.stringify(frame));
    for (const text of encoded) lab.stats.count('websocket', 'payloadBytesOut', Buffer.byteLength(text));
    outbound.push(() => {
      for (const text of encoded) ws.send(text);
    });
  };

  fastify.upgrades.add(WS_PATH, (req, socket, head) => {
    if (!isOriginAllowed(req, options.allowedOrigins)) {
      return refuseUpgrade(socket, 403, 'Forbidden', `origin ${req.headers.origin} is not allowed`);
    }
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const cursor = parseCursor(query.get('since') ?? undefined, query.get('epoch') ?? undefined);
    if (!cursor.ok) return refuseUpgrade(socket, 400, 'Bad Request', cursor.error.message);
    const releaseSlot = guard.connections.tryOpen(clientIp(req));
    if (!releaseSlot) return refuseUpgrade(socket, 429, 'Too Many Requests', 'too many connections from this address');
    // The handshake may still fail (bad headers); the slot is freed with the socket either way.
    socket.once('close', releaseSlot);
    lab.stats.watchSocket('websocket', socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      senders.set(ws, { key: `ws:${++connectionCount}`, ip: clientIp(req) });
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      ws.on('message', (data, isBinary) => inbound.push(() => onFrame(ws, data, isBinary)));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => clients.delete(ws));
      // The welcome and the catch-up, then (same tick) live messages.
      withCatchup(catchupFor(room, cursor.value.since, cursor.value.epoch), (catchup) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        const { epoch, cursor: last, reset } = catchup;
        const welcome = { type: 'welcome', epoch, cursor: last, nodeId: fastify.nodeId, ...(reset && { reset: true }) };
        sendLater(ws, [welcome, ...catchup.messages.map((message) => ({ type: 'message', message }))]);
        clients.add(ws);
      });
    });
  });

  const sendError = (ws: WebSocket, error: ChatError, clientMsgId?: string): void => {
    sendLater(ws, [{ type: 'error', ...error, ...(clientMsgId !== undefined && { clientMsgId }) }]);
  };

  function onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) return sendError(ws, { code: 'invalid_frame', message: 'frames must be JSON text' });
    let frame: unknown;
    try {
      // binaryType is ws's default, 'nodebuffer': a message is one Buffer.
      frame = JSON.parse((data as Buffer).toString());
    } catch {
      return sendError(ws, { code: 'invalid_json', message: 'frame is not valid JSON' });
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      return sendError(ws, { code: 'invalid_frame', message: 'a frame is a JSON object with a "type"' });
    }
    const { type, ...input } = frame as { type?: unknown } & Record<string, unknown>;
    const clientMsgId = typeof input.clientMsgId === 'string' ? input.clientMsgId : undefined;
    if (type !== 'send') {
      return sendError(ws, { code: 'unknown_type', message: `unknown frame type ${JSON.stringify(type)}` }, clientMsgId);
    }
    const parsed = parseSendInput(input);
    if (!parsed.ok) return sendError(ws, parsed.error, clientMsgId);
    const sender = senders.get(ws)!;
    const admission = guard.admitSend(sender.key, sender.ip);
    if (!admission.ok) {
      sendError(ws, admission.error, clientMsgId);
      if (admission.persistent) ws.close(CLOSE_POLICY_VIOLATION, 'rate limit exceeded');
      return;
    }
    room.append(parsed.value, 'websocket').then(
      ({ message }) => sendLater(ws, [{ type: 'ack', clientMsgId: message.clientMsgId, id: message.id }]),
      (error: unknown) => sendError(ws, appendError(error), clientMsgId),
    );
  }

  // A new epoch (Redis lost its data): each client reconnects with its old
  // epoch and gets exactly one reset with the new history.
  const unwatchEpoch = room.onEpochChange(() => {
    for (const ws of clients) ws.close(CLOSE_SERVICE_RESTART, 'the room started over');
    clients.clear();
  });

  // A broadcast is encoded once and the same buffer goes to every client.
  const unsubscribe = room.subscribe((message) => {
    const frame = Buffer.from(JSON.stringify({ type: 'message', message }));
    // The clients of this moment: one that connects while the frame is delayed has it in its catch-up.
    const targets = [...clients];
    lab.stats.count('websocket', 'payloadBytesOut', frame.length * targets.length);
    outbound.push(() => {
      for (const ws of targets) {
        if (ws.bufferedAmount > options.maxBufferedBytes) {
          ws.terminate(); // a consumer this far behind would only grow our memory
          continue;
        }
        ws.send(frame, { binary: false });
      }
    });
  });

  const heartbeat = setInterval(() => {
    for (const ws of clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, options.pingIntervalMs);
  heartbeat.unref();

  fastify.addHook('preClose', (done) => {
    unsubscribe();
    unwatchEpoch();
    clearInterval(heartbeat);
    for (const ws of clients) ws.close(CLOSE_GOING_AWAY, 'server shutting down');
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    for (const ws of clients) ws.terminate();
    wss.close();
    done();
  });
};
