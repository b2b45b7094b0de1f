// What the nodes sharing a room in Redis share besides the room: one
// presenter token, one set of lab settings and drops, cluster-wide send rate
// limits, every node's stats, participants counted once across nodes. Loaded
// only with --redis (so `npm start` needs no Redis); the in-memory versions
// behind the same interfaces are the default.
import type { SendLimiter, SendLimits } from '../chat/rate-limit.js';
import type { LabStore } from '../lab/lab-store.js';
import type { StatsExchange } from '../lab/node-stats.js';
import type { Presence } from '../lab/presence.js';
import { RedisLabStore } from './redis-lab-store.js';
import { RedisLink } from './redis-link.js';
import { RedisPresence } from './redis-presence.js';
import { RedisSendLimiter } from './redis-send-limiter.js';
import { RedisStatsExchange } from './redis-stats-exchange.js';

export interface ClusterState {
  labStore: LabStore;
  sendLimiter: SendLimiter;
  statsExchange: StatsExchange;
  /** Participants across the nodes: a client seen by two nodes counts once. */
  presence: Presence;
  /** The first node's `candidate` wins: every node gets the same value (e.g. the presenter token). */
  agree(name: string, candidate: string): Promise<string>;
  close(): void;
}

export interface ClusterStateOptions {
  url: string;
  prefix: string;
  nodeId: string;
  sendLimits: SendLimits;
  presenceWindowMs: number;
}

export async function connectClusterState(options: ClusterStateOptions): Promise<ClusterState> {
  let link: RedisLink | undefined;
  try {
    link = await RedisLink.connect({ url: options.url, prefix: options.prefix });
    return await clusterState(link, options);
  } catch (error) {
    link?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot use Redis at ${options.url}: ${reason}`);
  }
}

async function clusterState(link: RedisLink, options: ClusterStateOptions): Promise<ClusterState> {
  return {
    labStore: await RedisLabStore.connect(link, options.nodeId),
    sendLimiter: new RedisSendLimiter(link, options.sendLimits),
    statsExchange: new RedisStatsExchange(link),
    presence: new RedisPresence(link, options.nodeId, options.presenceWindowMs),
    async agree(name, candidate) {
      await link.commands.sendCommand(['SET', link.key(name), candidate, 'NX']);
      return (await link.commands.sendCommand<string | null>(['GET', link.key(name)])) ?? candidate;
    },
    close: () => link.close(),
  };
}
