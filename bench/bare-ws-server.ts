// Baseline: a minimal `ws` broadcast server (the library's own broadcast
// idiom, the frame encoded once per broadcast), on a bare node:http server.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import type { SendInput } from '../src/chat/message.js';
import { BARE_EPOCH, bareCursor, bareMessage, onBareMessage } from './bare-message.js';
import { serveWithStats } from './serve-stats.js';

const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });

onBareMessage((message) => {
  const frame = Buffer.from(JSON.stringify({ type: 'message', message }));
  for (const client of wss.clients) client.send(frame, { binary: false });
});

wss.on('connection', (ws) => {
  ws.send(JSON.stringify({ type: 'welcome', epoch: BARE_EPOCH, cursor: bareCursor() }));
  ws.on('message', (data) => {
    // binaryType is ws's default, 'nodebuffer': a message is one Buffer.
    const input = JSON.parse((data as Buffer).toString()) as SendInput;
    const message = bareMessage(input, 'websocket');
    ws.send(JSON.stringify({ type: 'ack', clientMsgId: message.clientMsgId, id: message.id }));
  });
});

await serveWithStats(server);
