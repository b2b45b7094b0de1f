// Each node's stats sample, shared through Redis once a second: a hash
// (`stats`: node id -> its latest sample as JSON) and when each node last
// wrote (`stats-seen`, a sorted set on Redis's clock). One Lua script writes
// this node's sample, forgets nodes silent for three samples (a node killed
// without a goodbye) and returns every live node's.
import type { StatsExchange } from '../lab/node-stats.js';
import { SAMPLE_MS, type NodeSample } from '../lab/stats.js';
import type { RedisLink } from './redis-link.js';
import { Script } from './redis-script.js';

/** A node that has not written for this long is no longer counted. */
const STALE_AFTER_MS = 3 * SAMPLE_MS;

// KEYS: samples hash, last-written sorted set. ARGV: node id, sample JSON, stale after ms.
// Returns every live node's sample JSON.
const SHARE = new Script(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - tonumber(ARGV[3])))) do
  redis.call('HDEL', KEYS[1], node)
  redis.call('ZREM', KEYS[2], node)
end
return redis.call('HVALS', KEYS[1])
`);

export class RedisStatsExchange implements StatsExchange {
  readonly #keys: [samples: string, seen: string];

  constructor(private readonly link: RedisLink) {
    this.#keys = [link.key('stats'), link.key('stats-seen')];
  }

  async share(sample: NodeSample): Promise<NodeSample[]> {
    const samples = await SHARE.run<string[]>(this.link.commands, this.#keys, [
      sample.nodeId,
      JSON.stringify(sample),
      String(STALE_AFTER_MS),
    ]);
    return samples.map((json) => JSON.parse(json) as NodeSample);
  }

  leave(nodeId: string): void {
    const [samples, seen] = this.#keys;
    void Promise.all([
      this.link.commands.sendCommand(['HDEL', samples, nodeId]),
      this.link.commands.sendCommand(['ZREM', seen, nodeId]),
    ]).catch(() => {});
  }
}
