import type { FastifyPluginAsync } from 'fastify';
import type { Room } from '../chat/room.js';
import type { ServerOptions } from '../config.js';
import type { Lab } from '../lab/lab.js';

/** What a transport plugin is given: the room, the options and the workshop lab, nothing else. */
export interface TransportContext {
  room: Room;
  options: ServerOptions;
  lab: Lab;
}

export type TransportPlugin = FastifyPluginAsync<TransportContext>;
