// The per-IP cap on TCP connections, whatever they carry: one address cannot
// take the process's file descriptors (slowloris, idle keep-alives, half-done
// handshakes). A connection over the cap is closed before a byte is read.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { PerIpCounter } from '../transports/guard.js';

export function capConnectionsPerIp(server: Server, counter: PerIpCounter): void {
  // Before Node's own listener, so a refused socket never gets an HTTP parser.
  server.prependListener('connection', (socket: Socket) => {
    const release = counter.tryOpen(socket.remoteAddress ?? 'unknown');
    if (!release) return void socket.destroy();
    socket.once('close', release);
  });
}
