import type { FastifyPluginAsync } from 'fastify';
import type { ChatRoom } from '../chat/room.js';
import type { ServerOptions } from '../config.js';
import type { Lab } from '../lab/lab.js';
import type { Guard } from './guard.js';

/** What a transport plugin is given: the room, the options, the workshop lab and the guard, nothing else. */
export interface TransportContext {
  room: ChatRoom;
  options: ServerOptions;
  lab: Lab;
  /** Rate limit and caps, shared by every transport. */
  guard: Guard;
}

export type TransportPlugin = FastifyPluginAsync<TransportContext>;
