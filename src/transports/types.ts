import type { FastifyPluginAsync } from 'fastify';
import type { Room } from '../chat/room.js';
import type { ServerOptions } from '../config.js';
import type { Guard } from './guard.js';

/** What a transport plugin is given: the room, the options and the guard, nothing else. */
export interface TransportContext {
  room: Room;
  options: ServerOptions;
  /** Rate limit and caps, shared by every transport. */
  guard: Guard;
}

export type TransportPlugin = FastifyPluginAsync<TransportContext>;
