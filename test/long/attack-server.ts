// The server side of `npm run attack`, in its own process with a 512 MB heap,
// so its memory is measured alone and an exhausted heap would kill only it.
// Default limits; the room starts full of old, long messages (the worst case
// for history amplification). Answers samples over IPC.
import type { AddressInfo } from 'node:net';
import { randomId } from '../../src/client/base.js';
import { Room } from '../../src/chat/room.js';
import { DEFAULTS } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { Guard } from '../../src/transports/guard.js';

export interface AttackSample {
  rssBytes: number;
  heapUsedBytes: number;
  refused: { tcp: number; engineSessions: number; sockets: number; heldPolls: number; catchup: number; sends: number };
  open: { tcp: number; engineSessions: number; sockets: number };
}

// Stamped two minutes ago while filling, real time after.
let ageMs = 120_000;
const room = new Room({ historyLimit: DEFAULTS.historyLimit, now: () => Date.now() - ageMs });
for (let n = 0; n < DEFAULTS.historyLimit; n++)
  void room.append({ clientMsgId: randomId(), author: 'history', text: 'h'.repeat(1000) }, 'short-polling');
ageMs = 0;
const guard = new Guard(DEFAULTS);
const app = await buildServer({ logLevel: 'silent', room, guard });
await app.listen({ port: 0, host: '127.0.0.1' });

function sample(): AttackSample {
  const memory = process.memoryUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    refused: {
      tcp: guard.tcp.refused,
      engineSessions: guard.engineSessions.refused,
      sockets: guard.connections.refused,
      heldPolls: guard.heldPolls.refused,
      catchup: guard.catchupRefused,
      sends: guard.sendsRefused,
    },
    open: { tcp: guard.tcp.total, engineSessions: guard.engineSessions.total, sockets: guard.connections.total },
  };
}

process.on('message', (message: string) => {
  if (message === 'sample') process.send!({ type: 'sample', data: sample() });
  if (message === 'stop') void app.close().then(() => process.exit(0));
});
// The run that forked this one died (an error, Ctrl-C): do not outlive it.
process.once('disconnect', () => process.exit(1));
process.send!({ type: 'ready', port: (app.server.address() as AddressInfo).port });
