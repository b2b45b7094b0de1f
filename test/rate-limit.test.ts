// Unit tests of src/chat/rate-limit.ts on a simulated clock: the token
// buckets, the per-client and per-IP limits, new client ids per IP, and the
// max-min fair sharing of an address's budget (issue 12, finding 3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTIVE_WINDOW_MS, FORGET_AFTER_MS, SendRateLimiter, TokenBuckets, type SendLimits } from '../src/chat/rate-limit.js';
import { DEFAULTS } from '../src/config.js';

const DEFAULT_LIMITS: SendLimits = {
  perClient: { ratePerSec: DEFAULTS.sendRatePerClient, burst: DEFAULTS.sendBurstPerClient },
  perIp: { ratePerSec: DEFAULTS.sendRatePerIp, burst: DEFAULTS.sendBurstPerIp },
  newClientsPerIp: { ratePerSec: DEFAULTS.newClientRatePerIp, burst: DEFAULTS.newClientBurstPerIp },
};

describe('TokenBuckets', () => {
  it('starts full, refills at the rate, never above the burst', () => {
    let now = 0;
    const buckets = new TokenBuckets({ ratePerSec: 2, burst: 3 }, () => now);
    assert.equal(buckets.tokens('a'), 3);
    buckets.take('a', 3);
    assert.equal(buckets.waitMs('a'), 500);
    assert.equal(buckets.waitMs('a', 2), 1000);
    now = 250;
    assert.equal(buckets.tokens('a'), 0.5);
    now = 60_000;
    assert.equal(buckets.tokens('a'), 3);
    assert.equal(buckets.tokens('b'), 3, 'keys are independent');
  });

  it('forgets buckets that are full again, so memory follows the active keys', () => {
    let now = 0;
    const buckets = new TokenBuckets({ ratePerSec: 1, burst: 1 }, () => now);
    for (let n = 0; n < 100; n++) buckets.take(`k${n}`);
    assert.equal(buckets.size, 100);
    now = 20_000;
    buckets.take('fresh');
    assert.equal(buckets.size, 1);
  });
});

describe('SendRateLimiter', () => {
  it('a client is cut after its burst; refusals turn persistent; another client of the address passes', () => {
    let now = 0;
    const limiter = new SendRateLimiter(DEFAULT_LIMITS, () => now);
    const answers = Array.from({ length: 60 }, () => limiter.admit('c', '10.0.0.1'));
    assert.equal(
      answers.findIndex((answer) => !answer.ok),
      DEFAULTS.sendBurstPerClient,
    );
    const last = answers.at(-1)!;
    assert.ok(!last.ok && last.persistent && last.error.code === 'rate_limited' && last.retryAfterMs > 0);
    assert.ok(limiter.admit('d', '10.0.0.1').ok);
    now += 1000;
    assert.ok(limiter.admit('c', '10.0.0.1').ok, 'tokens come back with time');
  });

  it('the same client key from two addresses is two clients', () => {
    const limiter = new SendRateLimiter({ ...DEFAULT_LIMITS, perClient: { ratePerSec: 1, burst: 1 } }, () => 0);
    assert.ok(limiter.admit('http:', '10.0.0.1').ok);
    assert.ok(limiter.admit('http:', '10.0.0.2').ok, 'anonymous senders of another address have their own bucket');
    assert.ok(!limiter.admit('http:', '10.0.0.1').ok);
  });

  it('new client ids per address are limited: a burst, then the rate', () => {
    let now = 0;
    const limits = { ...DEFAULT_LIMITS, newClientsPerIp: { ratePerSec: 2, burst: 3 } };
    const limiter = new SendRateLimiter(limits, () => now);
    const fresh = Array.from({ length: 5 }, (_, n) => limiter.admit(`id${n}`, '10.0.0.1').ok);
    assert.deepEqual(fresh, [true, true, true, false, false]);
    assert.ok(limiter.admit('id0', '10.0.0.1').ok, 'a known id is not new');
    assert.ok(limiter.admit('other-ip', '10.0.0.9').ok, 'another address has its own new-id budget');
    now = 500;
    assert.ok(limiter.admit('id3', '10.0.0.1').ok, 'one new id per 500 ms');
    assert.ok(!limiter.admit('id4', '10.0.0.1').ok);
  });

  it('forgets clients unheard of for a minute (memory is bounded by the new-client rate)', () => {
    let now = 0;
    const limiter = new SendRateLimiter(DEFAULT_LIMITS, () => now);
    for (let n = 0; n < 50; n++) limiter.admit(`id${n}`, '10.0.0.1');
    assert.equal(limiter.trackedClients, 50);
    now = FORGET_AFTER_MS + 11_000;
    limiter.admit('late', '10.0.0.1');
    assert.equal(limiter.trackedClients, 1);
  });

  it('the fair share is the IP rate over the clients active in the last few seconds', () => {
    let now = 0;
    const limiter = new SendRateLimiter(DEFAULT_LIMITS, () => now);
    for (let n = 0; n < 4; n++) limiter.admit(`id${n}`, '10.0.0.1');
    assert.equal(limiter.fairShare('10.0.0.1'), DEFAULTS.sendRatePerIp / 4);
    now = ACTIVE_WINDOW_MS + 2000;
    assert.equal(limiter.fairShare('10.0.0.1'), DEFAULTS.sendRatePerIp, 'idle clients no longer share');
  });

  /**
   * Two flooders on the honest client's address, each inventing a new client id
   * whenever its current one is refused (a new `client=`, a reconnect after 1008),
   * as fast as they may; the honest client sends once a second, and was
   * there before the flood (a new client joining during it waits for a
   * new-client token, which the flooders compete for).
   */
  function floodWithRotatingIds(limits: SendLimits, seconds: number): { honestOk: number; honestSent: number; flooderOk: number } {
    let now = 0;
    const limiter = new SendRateLimiter(limits, () => now);
    let honestOk = 0;
    let honestSent = 0;
    let flooderOk = 0;
    const flooders = [0, 1].map((f) => ({ id: 0, name: `flooder${f}` }));
    for (let ms = 0; ms < seconds * 1000; ms += 2) {
      now = ms;
      for (const flooder of ms < 2000 ? [] : flooders) {
        // 2,000 attempts a second each.
        for (let n = 0; n < 4; n++) {
          if (limiter.admit(`${flooder.name}-${flooder.id}`, '10.0.0.1').ok) flooderOk++;
          else flooder.id++;
        }
      }
      if (ms % 1000 === 500) {
        honestSent++;
        if (limiter.admit('honest', '10.0.0.1').ok) honestOk++;
      }
    }
    return { honestOk, honestSent, flooderOk };
  }

  it('two flooders rotating ids on the honest IP: an honest 1 msg/s client gets >= 99 % at first try; the address stays under its ceiling', () => {
    const seconds = 120;
    const { honestOk, honestSent, flooderOk } = floodWithRotatingIds(DEFAULT_LIMITS, seconds);
    assert.ok(honestOk / honestSent >= 0.99, `honest: ${honestOk}/${honestSent} accepted at first try`);
    const ceiling = DEFAULTS.sendBurstPerIp + DEFAULTS.sendRatePerIp * seconds;
    assert.ok(flooderOk + honestOk <= ceiling, `${flooderOk + honestOk} appended, ceiling ${ceiling}`);
  });
});
