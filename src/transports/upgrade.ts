// The server's only `upgrade` listener: routes each upgrade by path to the
// transport that registered it and refuses the rest. (ws attached with
// `{ server, path }` would answer 400 to every other path, Socket.IO's too.)
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { HostCheck, UNKNOWN_HOST } from '../http/host-check.js';
import type { Lab } from '../lab/lab.js';
import { namedPlugin } from '../named-plugin.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeRoutes {
  /** Upgrades to `path` (or below it, when it ends in `/`) go to `handler`. */
  add(path: string, handler: UpgradeHandler): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    upgrades: UpgradeRoutes;
  }
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, body = reason, retryAfterSec?: number): void {
  if (!socket.writable) return void socket.destroy();
  const retryAfter = retryAfterSec === undefined ? '' : `Retry-After: ${retryAfterSec}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n${retryAfter}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** `/ws` matches only itself; a path ending in `/` (like `/socket.io/`) matches everything below it. */
function matches(path: string, pathname: string): boolean {
  return pathname === path || (path.endsWith('/') && pathname.startsWith(path));
}

function routeUpgrades(fastify: FastifyInstance, { lab, allowedHosts }: { lab: Lab; allowedHosts: readonly string[] }): void {
  const routes: Array<{ path: string; handler: UpgradeHandler }> = [];
  const hosts = new HostCheck(allowedHosts);
  fastify.decorate('upgrades', { add: (path, handler) => routes.push({ path, handler }) } satisfies UpgradeRoutes);

  fastify.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    // DNS rebinding: the same Host rule as every HTTP request, on every upgrade path.
    if (!hosts.allows(req)) return refuseUpgrade(socket, 421, 'Misdirected Request', UNKNOWN_HOST.message);
    const pathname = (req.url ?? '/').split('?')[0]!;
    // The presenter's "corporate proxy": no WebSocket gets through, on any path.
    if (lab.settings.blockWebSocket) {
      return refuseUpgrade(socket, 403, 'Forbidden', 'WebSocket upgrades are blocked (the lab\'s "corporate proxy" switch is on)');
    }
    const route = routes.find(({ path }) => matches(path, pathname));
    if (route) route.handler(req, socket, head);
    else refuseUpgrade(socket, 404, 'Not Found', `no WebSocket endpoint at ${pathname}`);
  });
}

export const upgradePlugin = namedPlugin('upgrade-router', routeUpgrades);
