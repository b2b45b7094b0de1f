// The cluster-wide send limiter (a Lua script in a real redis-server) decides
// as the in-memory one does: the same sends, the same answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SendRateLimiter, type SendLimits } from '../src/chat/rate-limit.js';
import { RedisLink } from '../src/cluster/redis-link.js';
import { RedisSendLimiter } from '../src/cluster/redis-send-limiter.js';
import { RedisServer } from './redis-server.js';

// Refills so slow that the few milliseconds between the two limiters' clocks change nothing.
const LIMITS: SendLimits = {
  perClient: { ratePerSec: 0.01, burst: 3 },
  perIp: { ratePerSec: 1.2, burst: 10 },
  newClientsPerIp: { ratePerSec: 0.01, burst: 4 },
};

describe('RedisSendLimiter', () => {
  let redis: RedisServer;
  let link: RedisLink;
  before(async () => {
    redis = await RedisServer.start();
    link = await RedisLink.connect({ url: redis.url, prefix: 'limiter:' });
  });
  after(async () => {
    link.close();
    await redis.stop();
  });

  it('answers a mixed sequence of sends (bursts, new ids, fair shares, strikes, two addresses) as SendRateLimiter does', async () => {
    const inMemory = new SendRateLimiter(LIMITS);
    const shared = new RedisSendLimiter(link, LIMITS);
    // A fixed pseudo-random walk over six clients, mostly on one address.
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const sends = Array.from({ length: 80 }, () => ({ client: `c${Math.floor(next() * 6)}`, ip: next() < 0.8 ? '10.0.0.1' : '10.0.0.2' }));
    const answers = { inMemory: [] as string[], shared: [] as string[] };
    for (const { client, ip } of sends) {
      const expected = inMemory.admit(client, ip);
      const actual = await shared.admit(client, ip);
      answers.inMemory.push(expected.ok ? 'ok' : expected.persistent ? 'persistent' : 'refused');
      answers.shared.push(actual.ok ? 'ok' : actual.persistent ? 'persistent' : 'refused');
      if (!actual.ok) assert.ok(actual.retryAfterMs > 0 && actual.error.code === 'rate_limited');
    }
    assert.deepEqual(answers.shared, answers.inMemory);
    for (const kind of ['ok', 'refused', 'persistent']) assert.ok(answers.inMemory.includes(kind), `the walk meets "${kind}"`);
  });

  it('refuses with a retryable unavailable error while Redis is down', async () => {
    const shared = new RedisSendLimiter(link, LIMITS);
    await redis.stop();
    await assert.rejects(
      shared.admit('c', '10.0.0.9'),
      (error: Error & { error?: { code: string } }) => error.error?.code === 'unavailable',
    );
    await redis.restart();
  });
});
