import type { FastifyInstance } from 'fastify';
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

/**
 * Sets a transport up on its own encapsulated Fastify scope (a promise when
 * the setup has to wait). The server registers it as the plugin `transport-<name>`.
 */
export type TransportPlugin = (fastify: FastifyInstance, context: TransportContext) => void | Promise<void>;
