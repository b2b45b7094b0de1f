// The send rate limit of src/chat/rate-limit.ts held cluster-wide: the same
// buckets and the same max-min fairness among the clients of one address, kept
// in Redis and decided in one Lua script, so a client that alternates between
// nodes (polls and sends are balanced freely) gets no more than on one node.
// The clock is Redis's own (TIME), so nodes with skewed clocks agree.
//
// Keys per address (`rate:ip:<ip>`: its bucket and its new-client bucket;
// `rate:active:<ip>`: its clients by last accepted send, a sorted set) and per
// client (`rate:client:<ip> <key>`: its bucket, rate estimate, last accepted
// send and refusal strikes); all expire when unused, as the in-memory
// limiter forgets.
import { RoomUnavailableError } from '../chat/room.js';
import {
  ACTIVE_WINDOW_MS,
  FORGET_AFTER_MS,
  RATE_TAU_MS,
  refusal,
  type SendAdmission,
  type SendLimiter,
  type SendLimits,
} from '../chat/rate-limit.js';
import type { RedisLink } from './redis-link.js';
import { Script } from './redis-script.js';

// KEYS: client hash, address hash, address's active clients (sorted set).
// ARGV: client key, client rate, client burst, address rate, address burst,
//       new-client rate, new-client burst, active window ms, forget-after ms, rate time constant ms.
// Returns {retry after ms (0 = admitted), persistent (0|1)}.
const ADMIT = new Script(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local clientRate, clientBurst = tonumber(ARGV[2]), tonumber(ARGV[3])
local ipRate, ipBurst = tonumber(ARGV[4]), tonumber(ARGV[5])
local newRate, newBurst = tonumber(ARGV[6]), tonumber(ARGV[7])
local activeMs, forgetMs, tau = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])

local function refill(tokens, at, rate, burst)
  if not tokens then return burst end
  return math.min(burst, tonumber(tokens) + (now - tonumber(at)) / 1000 * rate)
end
local function wait(tokens, needed, rate)
  if tokens >= needed then return 0 end
  return math.ceil((needed - tokens) / rate * 1000)
end

local client = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'rate', 'rateAt', 'seenAt', 'strikes', 'strikesAt')
local ip = redis.call('HMGET', KEYS[2], 'tokens', 'at', 'newTokens', 'newAt')
local seenAt = tonumber(client[5])
local known = seenAt ~= nil and now - seenAt <= forgetMs
-- A new id starts counted at the per-client rate, so inventing ids buys no priority.
local rate = clientRate
if known then rate = tonumber(client[3]) * math.exp(-(now - tonumber(client[4])) / tau) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (now - activeMs))
local active = redis.call('ZCARD', KEYS[3])
local ipNeeds = 1
if rate >= ipRate / math.max(1, active) then ipNeeds = 1 + ipBurst / 2 end

local clientTokens = refill(client[1], client[2], clientRate, clientBurst)
local ipTokens = refill(ip[1], ip[2], ipRate, ipBurst)
local newTokens = refill(ip[3], ip[4], newRate, newBurst)
local retry = math.max(wait(clientTokens, 1, clientRate), wait(ipTokens, ipNeeds, ipRate))
if not known then retry = math.max(retry, wait(newTokens, 1, newRate)) end

if retry == 0 then
  if not known then newTokens = newTokens - 1 end
  redis.call('HSET', KEYS[1], 'tokens', clientTokens - 1, 'at', now, 'rate', rate + 1000 / tau, 'rateAt', now, 'seenAt', now)
  redis.call('HSET', KEYS[2], 'tokens', ipTokens - 1, 'at', now, 'newTokens', newTokens, 'newAt', now)
  redis.call('ZADD', KEYS[3], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[3], activeMs)
else
  local strikes = refill(client[6], client[7], clientRate, clientBurst)
  if strikes >= 1 then strikes = strikes - 1 else retry = -retry end
  redis.call('HSET', KEYS[1], 'tokens', clientTokens, 'at', now, 'strikes', strikes, 'strikesAt', now)
  redis.call('HSET', KEYS[2], 'tokens', ipTokens, 'at', now, 'newTokens', newTokens, 'newAt', now)
end
redis.call('PEXPIRE', KEYS[1], forgetMs)
redis.call('PEXPIRE', KEYS[2], forgetMs)
return retry
`);

export class RedisSendLimiter implements SendLimiter {
  readonly #args: string[];

  constructor(
    private readonly link: RedisLink,
    limits: SendLimits,
  ) {
    const { perClient, perIp, newClientsPerIp } = limits;
    this.#args = [perClient.ratePerSec, perClient.burst, perIp.ratePerSec, perIp.burst, newClientsPerIp.ratePerSec, newClientsPerIp.burst]
      .concat([ACTIVE_WINDOW_MS, FORGET_AFTER_MS, RATE_TAU_MS])
      .map(String);
  }

  /** One send, decided in Redis. Rejects with RoomUnavailableError while Redis is unreachable (the send could not be stored anyway). */
  async admit(clientKey: string, ip: string): Promise<SendAdmission> {
    const keys = [this.link.key(`rate:client:${ip} ${clientKey}`), this.link.key(`rate:ip:${ip}`), this.link.key(`rate:active:${ip}`)];
    let retry: number;
    try {
      retry = await ADMIT.run<number>(this.link.commands, keys, [clientKey, ...this.#args]);
    } catch {
      throw new RoomUnavailableError();
    }
    // A negative wait: refused again while out of strikes (a persistent flooder).
    return retry === 0 ? { ok: true } : refusal(Math.abs(retry), retry < 0);
  }
}
