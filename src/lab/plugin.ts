// Registers the lab on the root instance (fastify-plugin), so its HTTP hooks
// see every transport route registered after it.
import fp from 'fastify-plugin';
import type { ChatRoom } from '../chat/room.js';
import { addLabHttpHooks } from './http-hooks.js';
import type { Lab } from './lab.js';
import { registerLabRoutes } from './routes.js';

export const labPlugin = fp<{ lab: Lab; room: ChatRoom }>(async (fastify, { lab, room }) => {
  addLabHttpHooks(fastify, lab);
  const unsubscribe = room.subscribe((message) => lab.stats.count(message.via, 'messages'));
  // Before the transports' own preClose hooks answer their held polls, so those answers are not delayed.
  fastify.addHook('preClose', async () => {
    unsubscribe();
    lab.close();
  });
  registerLabRoutes(fastify, lab);
});
