// buildServer(): the whole app as a Fastify instance, not listening yet, so
// tests can `inject()` or `listen({ port: 0 })` it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ClusterState } from './cluster/cluster-state.js';
import { Room, type ChatRoom } from './chat/room.js';
import { checkConsistency, DEFAULTS, type ServerOptions } from './config.js';
import { capConnectionsPerIp } from './http/connection-cap.js';
import { clientErrorHandler, errorsPlugin, frameworkErrors } from './http/errors.js';
import { requestHooksPlugin } from './http/request-hooks.js';
import { Lab } from './lab/lab.js';
import { LocalLabStore } from './lab/lab-store.js';
import { MemoryPresence } from './lab/presence.js';
import { labPlugin } from './lab/plugin.js';
import { randomToken } from './lab/token.js';
import { namedPlugin } from './named-plugin.js';
import { Guard, sendLimits } from './transports/guard.js';
import { serverTransports } from './transports/index.js';
import { upgradePlugin } from './transports/upgrade.js';

/** The bundled page (`npm run build` writes it). */
export const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

export interface BuildOptions extends Partial<ServerOptions> {
  /** Pass a room to share it; a fresh one is made otherwise (in Redis when `redisUrl` is set). */
  room?: ChatRoom;
  /** Pass a guard to watch its counts (the soak run does); one is made from the options otherwise. */
  guard?: Guard;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The workshop lab (its presenterToken is what main.ts prints). */
    lab: Lab;
    /** This node's short name (several nodes can share one room through Redis). */
    nodeId: string;
  }
}

export async function buildServer(overrides: BuildOptions = {}): Promise<FastifyInstance> {
  const { room: givenRoom, guard: givenGuard, ...rest } = overrides;
  const options: ServerOptions = { ...DEFAULTS, ...rest };
  checkConsistency(options);
  const nodeId = options.nodeId || randomBytes(3).toString('hex');
  const room = givenRoom ?? (await openRoom(options));
  let cluster: ClusterState | undefined;
  try {
    cluster = await openClusterState(options, nodeId);
  } catch (error) {
    if (!givenRoom) await room.close();
    throw error;
  }
  // One presenter token per cluster: nodes sharing a Redis room take the first node's random one.
  const presenterToken = options.presenterToken || (await (cluster?.agree('presenter-token', randomToken()) ?? randomToken()));
  const lab = new Lab({
    presenterToken,
    nodeId,
    store: cluster?.labStore ?? new LocalLabStore(nodeId),
    statsExchange: cluster?.statsExchange,
    presence: new MemoryPresence(options.presenceWindowMs),
    clusterPresence: cluster?.presence,
  });
  const guard = givenGuard ?? new Guard(options, () => lab.settings.liftRateLimit, cluster?.sendLimiter);

  const fastify = Fastify({
    logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
    // Pollers make many requests a second: a line each would bury the join URLs.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxPayloadBytes,
    // Bodies are checked as sent: no type coercion, no silent dropping of unknown keys.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Slow-drip requests are cut (408) once requestTimeoutMs passes; it is above the
    // long-poll hold, so held polls are not. Node checks every connectionsCheckingInterval.
    serverFactory: (handler) => {
      const server = createServer(
        {
          requestTimeout: options.requestTimeoutMs,
          headersTimeout: Math.min(options.requestTimeoutMs, 20_000),
          connectionsCheckingInterval: Math.min(30_000, Math.max(100, options.requestTimeoutMs / 4)),
          maxHeaderSize: 16 * 1024,
        },
        handler,
      );
      capConnectionsPerIp(server, guard.tcp);
      return server;
    },
    forceCloseConnections: 'idle',
    // Requests Node or the router refuse before any route: the same JSON error shape.
    clientErrorHandler,
    frameworkErrors,
  });

  // JSON bodies only: a text/plain POST (which a foreign page can send without a
  // CORS preflight) gets 415 instead of reaching a route.
  fastify.removeContentTypeParser('text/plain');
  await fastify.register(errorsPlugin);
  await fastify.register(requestHooksPlugin, { allowedHosts: options.allowedHosts, lab });
  fastify.decorate('lab', lab);
  fastify.decorate('nodeId', nodeId);
  await fastify.register(labPlugin, { lab, room, presenterAttemptsPerMin: options.presenterAttemptsPerMin });
  await fastify.register(upgradePlugin, { lab, allowedHosts: options.allowedHosts });
  for (const [name, setup] of Object.entries(serverTransports)) {
    // Unlike the plugins above, each keeps its own scope: what it changes there stays there (Socket.IO's drops every body parser).
    const plugin = namedPlugin(`transport-${name}`, setup, { dependencies: ['errors', 'lab', 'upgrade-router'], encapsulate: true });
    await fastify.register(plugin, { room, options, lab, guard });
  }

  // A load balancer's check: 503 while this node cannot reach Redis, so it can route around it.
  const HealthSchema = { type: 'object', properties: { ok: { type: 'boolean' }, redis: { type: 'string' } } };
  fastify.get('/api/health', { schema: { response: { 200: HealthSchema, 503: HealthSchema } } }, (_request, reply) => {
    if (!options.redisUrl) return { ok: true };
    return room.available ? { ok: true, redis: 'up' } : reply.code(503).send({ ok: false, redis: 'down' });
  });
  fastify.get('/api/config', () => ({
    epoch: room.epoch,
    nodeId,
    sharedRoom: options.redisUrl !== '',
    shortPollIntervalMs: options.shortPollIntervalMs,
    longPollWaitMs: options.longPollWaitMs,
    longPollMaxWaitMs: options.longPollMaxWaitMs,
    transports: Object.keys(serverTransports),
  }));

  // Connections that never sent a request (browsers and fetch pre-connect) are
  // not "idle" to Node and would hold close() open until headersTimeout: cut
  // them after in-flight replies (held polls answered in preClose) had a moment.
  fastify.addHook('preClose', (done) => {
    setTimeout(() => fastify.server.closeAllConnections(), 1000).unref();
    done();
  });

  // A room made here is closed here (after the transports let go of it).
  if (!givenRoom) fastify.addHook('onClose', () => room.close());
  if (cluster) {
    fastify.addHook('onClose', (_instance, done) => {
      cluster.close();
      done();
    });
  }

  if (existsSync(WEB_ROOT)) {
    await fastify.register(fastifyStatic, { root: WEB_ROOT });
  } else {
    fastify.get('/', (_request, reply) =>
      reply.type('text/plain').send('Transport Lab is running, but the page is not built: run `npm run build`.'),
    );
  }
  return fastify;
}

/** The in-memory room, or (with `redisUrl`) the shared one in Redis, whose client is only loaded then. */
async function openRoom(options: ServerOptions): Promise<ChatRoom> {
  if (!options.redisUrl) return new Room({ historyLimit: options.historyLimit });
  const { RedisRoom } = await import('./chat/redis-room.js');
  return RedisRoom.connect({ url: options.redisUrl, prefix: options.redisPrefix, historyLimit: options.historyLimit });
}

/** With `redisUrl`: what the nodes share besides the room (lab, send limits), whose modules are only loaded then. */
async function openClusterState(options: ServerOptions, nodeId: string): Promise<ClusterState | undefined> {
  if (!options.redisUrl) return undefined;
  const { connectClusterState } = await import('./cluster/cluster-state.js');
  return connectClusterState({
    url: options.redisUrl,
    prefix: options.redisPrefix,
    nodeId,
    sendLimits: sendLimits(options),
    presenceWindowMs: options.presenceWindowMs,
  });
}
