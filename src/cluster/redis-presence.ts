// Participants counted across the cluster: per transport a sorted set of
// client ids scored by when they were last seen (Redis's clock), so a polling
// client whose requests two nodes answer counts once. `seen` only buffers (it
// runs on every request); once a sample, one Lua script adds the buffered ids,
// forgets those outside the window and counts the rest. `counts` stays
// synchronous: it answers from the last such count (at most a sample old)
// and starts the next. While Redis is unreachable it answers this node's own
// count instead. A client that names no id is counted by its connection
// (`~conn<n>`, numbered per process): such keys get the node id in front, so
// two nodes' first connections are two participants.
import { TRANSPORT_NAMES, type TransportName } from '../chat/transports.js';
import { MAX_TRACKED_IDS, MemoryPresence, type Presence } from '../lab/presence.js';
import type { RedisLink } from './redis-link.js';
import { Script } from './redis-script.js';

// KEYS: one sorted set per transport. ARGV: window ms, most ids kept, then per
// key: how many ids, the ids. Returns each key's count.
const COUNT = new Script(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window, keep = tonumber(ARGV[1]), tonumber(ARGV[2])
local at = 3
local counts = {}
for k, key in ipairs(KEYS) do
  local n = tonumber(ARGV[at])
  for i = 1, n do redis.call('ZADD', key, now, ARGV[at + i]) end
  at = at + n + 1
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - window))
  redis.call('ZREMRANGEBYRANK', key, 0, -keep - 1)
  redis.call('PEXPIRE', key, window)
  counts[k] = redis.call('ZCARD', key)
end
return counts
`);

export class RedisPresence implements Presence {
  readonly #keys: string[];
  /** Ids seen since the last count, per transport. */
  #pending = new Map<TransportName, Set<string>>(TRANSPORT_NAMES.map((name) => [name, new Set()]));
  #counts: Record<TransportName, number> | undefined;
  #counting = false;
  /** This node's own, for while Redis is unreachable. */
  readonly #local: MemoryPresence;

  constructor(
    private readonly link: RedisLink,
    private readonly nodeId: string,
    readonly windowMs: number,
  ) {
    this.#keys = TRANSPORT_NAMES.map((name) => link.key(`presence:${name}`));
    this.#local = new MemoryPresence(windowMs);
  }

  seen(transport: TransportName, clientId: string, now: number): void {
    this.#pending.get(transport)!.add(clientId.startsWith('~') ? `~${this.nodeId}${clientId}` : clientId);
    this.#local.seen(transport, clientId, now);
  }

  counts(now: number): Record<TransportName, number> {
    const local = this.#local.counts(now);
    if (!this.#counting) void this.#count();
    return this.#counts ?? local;
  }

  async #count(): Promise<void> {
    this.#counting = true;
    const pending = this.#pending;
    this.#pending = new Map(TRANSPORT_NAMES.map((name) => [name, new Set()]));
    const args = [String(this.windowMs), String(MAX_TRACKED_IDS)];
    for (const name of TRANSPORT_NAMES) {
      const ids = pending.get(name)!;
      args.push(String(ids.size), ...ids);
    }
    try {
      const counts = await COUNT.run<number[]>(this.link.commands, this.#keys, args);
      this.#counts = Object.fromEntries(TRANSPORT_NAMES.map((name, index) => [name, counts[index] ?? 0])) as Record<TransportName, number>;
    } catch {
      this.#counts = undefined; // this node's own until Redis answers again
    } finally {
      this.#counting = false;
    }
  }
}
