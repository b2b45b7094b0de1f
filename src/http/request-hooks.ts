// The one onRequest hook of the server: the Host check (DNS rebinding guard,
// 421), the security headers, then the lab (transport, counts, added
// latency). One hook, not three: Fastify runs each hook as a step of its own
// on every request, and every poll and send passes here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Lab } from '../lab/lab.js';
import { labRequestStep } from '../lab/http-hooks.js';
import { namedPlugin } from '../named-plugin.js';
import { sendError } from './errors.js';
import { HostCheck, UNKNOWN_HOST } from './host-check.js';
import { securityHeaders } from './security.js';

/** One part of the hook: calls `next` when done (with an error to stop the request there). */
export type RequestStep = (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => void;

function addRequestHooks(fastify: FastifyInstance, { allowedHosts, lab }: { allowedHosts: readonly string[]; lab: Lab }): void {
  const hosts = new HostCheck(allowedHosts);
  const headers = securityHeaders();
  const labStep = labRequestStep(lab);
  // Every HTTP request (the Socket.IO polling ones included) passes the Host check first.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!hosts.allows(request.raw)) return void sendError(reply, 421, UNKNOWN_HOST);
    headers(request, reply, (error) => (error ? done(error) : labStep(request, reply, done)));
  });
}

export const requestHooksPlugin = namedPlugin('request-hooks', addRequestHooks, { dependencies: ['errors'] });
