// Baseline: a minimal `socket.io` broadcast server attached to a bare node:http server.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import type { SendInput } from '../src/chat/message.js';
import { BARE_EPOCH, bareCursor, bareMessage, onBareMessage } from './bare-message.js';
import { serveWithStats } from './serve-stats.js';

const server = createServer();
const io = new Server(server, { serveClient: false });

onBareMessage((message) => io.emit('message', message));

io.on('connection', (socket) => {
  socket.emit('welcome', { epoch: BARE_EPOCH, cursor: bareCursor() });
  socket.on('send', (input: SendInput, ack: (reply: unknown) => void) => {
    const message = bareMessage(input, 'socketio');
    ack({ ok: true, message });
  });
});

await serveWithStats(server);
