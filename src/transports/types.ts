import type { FastifyPluginAsync } from 'fastify';
import type { Room } from '../chat/room.js';
import type { ServerOptions } from '../config.js';

/** What a transport plugin is given: the room and the options, nothing else. */
export interface TransportContext {
  room: Room;
  options: ServerOptions;
}

export type TransportPlugin = FastifyPluginAsync<TransportContext>;
