// The server side of `npm run soak`, in its own process so its memory is
// measured alone. Run with --expose-gc; answers samples over IPC.
import type { AddressInfo } from 'node:net';
import { Room } from '../../src/chat/room.js';
import { DEFAULTS } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { Guard } from '../../src/transports/guard.js';

export interface ServerSample {
  rssBytes: number;
  heapUsedBytes: number;
  heldPolls: number;
  /** WebSocket, Socket.IO and SSE connections. */
  socketConnections: number;
  roomSubscribers: number;
  httpConnections: number;
  /** Sends the rate limit refused so far (clients retry them). */
  sendsRefused: number;
  /** process.getActiveResourcesInfo() by kind: timers, sockets... */
  resources: Record<string, number>;
}

const room = new Room({ historyLimit: DEFAULTS.historyLimit });
const guard = new Guard(DEFAULTS); // the default limits: a soak at 20 msg/s must never meet them
const app = await buildServer({ logLevel: 'silent', room, guard });
await app.listen({ port: 0, host: '127.0.0.1' });

const gc = (globalThis as { gc?: () => void }).gc;

async function sample(): Promise<ServerSample> {
  gc?.();
  const httpConnections = await new Promise<number>((resolve) => app.server.getConnections((_error, count) => resolve(count)));
  const resources: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
  const memory = process.memoryUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heldPolls: guard.heldPolls.total,
    socketConnections: guard.connections.total,
    roomSubscribers: room.subscriberCount,
    httpConnections,
    sendsRefused: guard.sendsRefused,
    resources,
  };
}

process.on('message', (message: string) => {
  if (message === 'sample') void sample().then((data) => process.send!({ type: 'sample', data }));
  if (message === 'stop') void app.close().then(() => process.exit(0));
});
// The run that forked this one died (an error, Ctrl-C): do not outlive it.
process.once('disconnect', () => process.exit(1));
process.send!({ type: 'ready', port: (app.server.address() as AddressInfo).port });
