// What every benchmarked server process does, ours and the bare baselines:
// listen on a loopback port, count what crosses its sockets, and answer the
// harness's `stats` requests over the fork IPC channel.
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ReadyMessage, StatsMessage, StatsRequest } from './ipc.js';
import { runQueueWaitUs } from './schedstat.js';

export async function serveWithStats(server: Server): Promise<void> {
  if (!process.send) throw new Error('run me through the benchmark harness (child_process fork with IPC)');
  const open = new Set<Socket>();
  let closedRead = 0;
  let closedWritten = 0;
  let requests = 0;
  // Upgraded sockets (ws, Socket.IO) stay the same net.Socket, so their frames count here too.
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      closedRead += socket.bytesRead;
      closedWritten += socket.bytesWritten;
    });
  });
  server.on('request', () => requests++);

  process.on('message', (request: StatsRequest) => {
    if (request.type !== 'stats') return;
    if (request.gc) globalThis.gc?.();
    let bytesRead = closedRead;
    let bytesWritten = closedWritten;
    for (const socket of open) {
      bytesRead += socket.bytesRead;
      bytesWritten += socket.bytesWritten;
    }
    const cpu = process.cpuUsage();
    const loop = performance.eventLoopUtilization();
    const stats: StatsMessage = {
      type: 'stats',
      cpuUs: cpu.user + cpu.system,
      rssBytes: process.memoryUsage.rss(),
      runQueueWaitUs: runQueueWaitUs(),
      loopActiveMs: loop.active,
      loopIdleMs: loop.idle,
      requests,
      bytesRead,
      bytesWritten,
      sockets: open.size,
    };
    process.send!(stats);
  });
  // The harness went away: so do we.
  process.on('disconnect', () => process.exit(0));

  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const ready: ReadyMessage = { type: 'ready', port: (server.address() as AddressInfo).port };
  process.send(ready);
}
