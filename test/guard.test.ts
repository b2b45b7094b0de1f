// Unit tests of src/transports/guard.ts: the per-IP counters, the send
// admission (with the presenter's lift) and the catch-up byte budget.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../src/chat/message.js';
import { DEFAULTS } from '../src/config.js';
import { approxMessageBytes, CATCHUP_AGE_MS, clientIp, Guard, PerIpCounter } from '../src/transports/guard.js';

const message = (id: number, at: number, text = 'x'.repeat(100)): Message => ({
  id,
  clientMsgId: `m${id}`,
  author: 'a',
  text,
  via: 'websocket',
  at,
});

describe('PerIpCounter', () => {
  it('refuses beyond the cap per address, counts refusals, and a release (once) frees a place', () => {
    const counter = new PerIpCounter(2);
    const first = counter.tryOpen('10.0.0.1')!;
    assert.ok(counter.tryOpen('10.0.0.1'));
    assert.equal(counter.tryOpen('10.0.0.1'), undefined);
    assert.equal(counter.refused, 1);
    assert.ok(counter.tryOpen('10.0.0.2'), 'another address has its own cap');
    assert.equal(counter.total, 3);
    first();
    first(); // twice is harmless
    assert.equal(counter.count('10.0.0.1'), 1);
    assert.ok(counter.tryOpen('10.0.0.1'));
  });
});

describe('Guard', () => {
  it('admitSend: refused past the burst, counted; the presenter lift and rateLimit: false let everything through', async () => {
    let lifted = false;
    const guard = new Guard({ ...DEFAULTS, sendBurstPerClient: 2 }, () => lifted);
    assert.ok((await guard.admitSend('ws:1', '10.0.0.1')).ok);
    assert.ok((await guard.admitSend('ws:1', '10.0.0.1')).ok);
    assert.ok(!(await guard.admitSend('ws:1', '10.0.0.1')).ok);
    assert.equal(guard.sendsRefused, 1);
    lifted = true;
    assert.ok((await guard.admitSend('ws:1', '10.0.0.1')).ok);
    const off = new Guard({ ...DEFAULTS, rateLimit: false, sendBurstPerClient: 1 });
    for (let n = 0; n < 10; n++) assert.ok((await off.admitSend('ws:1', '10.0.0.1')).ok);
  });

  it('admitCatchup charges only messages older than CATCHUP_AGE_MS, per address, and refuses once the budget is spent', () => {
    const now = 1_000_000;
    const guard = new Guard({ ...DEFAULTS, catchupBurstBytesPerIp: 1000, catchupBytesPerSecPerIp: 1 });
    const live = Array.from({ length: 50 }, (_, n) => message(n, now - 1000));
    assert.ok(guard.admitCatchup('10.0.0.1', live, now).ok, 'fresh messages are free');
    const old = [message(1, now - CATCHUP_AGE_MS - 1), message(2, now - CATCHUP_AGE_MS - 1)];
    const bytes = old.reduce((sum, m) => sum + approxMessageBytes(m), 0);
    assert.ok(bytes > 300 && bytes < 500, String(bytes));
    assert.ok(guard.admitCatchup('10.0.0.1', old, now).ok);
    assert.ok(guard.admitCatchup('10.0.0.1', old, now).ok);
    const refused = guard.admitCatchup('10.0.0.1', old, now);
    assert.ok(!refused.ok && refused.retryAfterMs > 0);
    assert.equal(guard.catchupRefused, 1);
    assert.ok(guard.admitCatchup('10.0.0.2', old, now).ok, 'another address has its own budget');
  });

  it('a catch-up bigger than the whole burst passes when the bucket is full (else it could never pass)', () => {
    const now = 1_000_000;
    const guard = new Guard({ ...DEFAULTS, catchupBurstBytesPerIp: 100, catchupBytesPerSecPerIp: 100 });
    const old = Array.from({ length: 10 }, (_, n) => message(n, 0));
    assert.ok(guard.admitCatchup('10.0.0.1', old, now).ok);
    assert.ok(!guard.admitCatchup('10.0.0.1', old, now).ok);
  });

  it('clientIp is the socket address', () => {
    assert.equal(clientIp({ socket: { remoteAddress: '127.0.0.7' } } as never), '127.0.0.7');
  });
});
