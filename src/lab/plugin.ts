// Registers the lab on the root instance (fastify-plugin), so its HTTP hooks
// see every transport route registered after it.
import type { FastifyInstance } from 'fastify';
import type { ChatRoom } from '../chat/room.js';
import { namedPlugin } from '../named-plugin.js';
import { addLabHttpHooks } from './http-hooks.js';
import type { Lab } from './lab.js';
import { registerLabRoutes } from './routes.js';

function registerLab(
  fastify: FastifyInstance,
  { lab, room, presenterAttemptsPerMin }: { lab: Lab; room: ChatRoom; presenterAttemptsPerMin: number },
): void {
  addLabHttpHooks(fastify, lab);
  const unsubscribe = room.subscribe((message) => lab.stats.count(message.via, 'messages'));
  // Before the transports' own preClose hooks answer their held polls, so those answers are not delayed.
  fastify.addHook('preClose', (done) => {
    unsubscribe();
    lab.close();
    done();
  });
  registerLabRoutes(fastify, lab, presenterAttemptsPerMin);
}

// After the errors plugin, so its routes answer errors in the one shape.
export const labPlugin = namedPlugin('lab', registerLab, { dependencies: ['errors'] });
