// The page's pure logic: the wire log's window and bounds, the shared log
// scale, the chart's aligned series, percentiles that never pass the max,
// own-round-trip timing, and the figures the views print.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WireEntry } from '../src/client/transport.js';
import { alignSeries } from '../public/comparison/align-series.js';
import { formatBytes, requestsPerMessage } from '../public/comparison/race-figures.js';
import { LatencyStats } from '../public/latency/latency-stats.js';
import { decades, logDomain, logPosition, tickLabel } from '../public/latency/log-scale.js';
import { SendClock } from '../public/latency/send-clock.js';
import { ServerClock } from '../public/latency/server-clock.js';
import { describeEntry } from '../public/wire/describe-entry.js';
import { MAX_PER_LANE, WireLog } from '../public/wire/wire-log.js';

const entry = (id: number, fields: Partial<WireEntry> = {}): WireEntry => ({ id, kind: 'frame', at: id, label: 'x', ...fields });

describe('WireLog', () => {
  it('upserts a request by id: the answer replaces the start, in its place', () => {
    const log = new WireLog();
    log.add('a', entry(1, { kind: 'request', at: 100 }));
    log.add('a', entry(2, { at: 200 }));
    log.add('a', entry(1, { kind: 'request', at: 100, endAt: 300, status: 200 }));
    assert.deepEqual(
      log.visible('a', 1000, 1000).map((each) => [each.id, each.endAt]),
      [
        [1, 300],
        [2, undefined],
      ],
    );
  });

  it('drops what ended before the window, keeps a request still in flight however old', () => {
    const log = new WireLog();
    log.add('a', entry(1, { at: 10 }));
    log.add('a', entry(2, { kind: 'request', at: 20 }));
    log.add('a', entry(3, { kind: 'request', at: 30, endAt: 40 }));
    log.add('a', entry(4, { at: 5000 }));
    log.add('a', entry(5, { at: 9000 }));
    assert.deepEqual(
      log.visible('a', 6000, 1000).map((each) => each.id),
      [2, 4],
    );
    // Dropped for good, not only hidden; the future entry (5) stays for later.
    assert.equal(log.size('a'), 3);
  });

  it('keeps at most MAX_PER_LANE entries per lane, the newest', () => {
    const log = new WireLog();
    for (let id = 1; id <= MAX_PER_LANE + 50; id++) log.add('a', entry(id));
    log.add('b', entry(10_000));
    assert.equal(log.size('a'), MAX_PER_LANE);
    assert.equal(log.visible('a', MAX_PER_LANE + 50, 1e9)[0]?.id, 51);
    assert.equal(log.size('b'), 1);
  });
});

describe('the shared log scale', () => {
  it('spans whole decades around the figures, at least 1 ms to 1 s', () => {
    assert.deepEqual(logDomain([]), [1, 1000]);
    assert.deepEqual(logDomain([3, 498, undefined]), [1, 1000]);
    assert.deepEqual(logDomain([0.4, 4960]), [0.1, 10_000]);
    assert.deepEqual(logDomain([0, 1000]), [0.1, 1000]);
  });

  it('places figures on it, clamped, and names its ticks', () => {
    assert.equal(logPosition(10, [1, 1000]), 1 / 3);
    assert.equal(logPosition(5000, [1, 1000]), 1);
    assert.equal(logPosition(0, [1, 1000]), 0);
    assert.deepEqual(decades([0.1, 10_000]), [0.1, 1, 10, 100, 1000, 10_000]);
    assert.deepEqual([0.1, 1, 100, 1000, 10_000].map(tickLabel), ['0.1', '1', '100', '1 s', '10 s']);
  });
});

describe('alignSeries', () => {
  it('puts every series on one sorted x axis, null where a series has no sample, within the window', () => {
    const data = alignSeries(
      [
        { times: [1, 3, 5], values: [10, 30, 0] },
        { times: [2, 3], values: [200, 300] },
      ],
      2,
    );
    assert.deepEqual(data, [
      [2, 3, 5],
      [null, 30, 0.1],
      [200, 300, null],
    ]);
  });
});

describe('LatencyStats', () => {
  it('never reports a percentile above the max or below the min (HDR buckets round up)', () => {
    const stats = new LatencyStats();
    for (const ms of [963.4, 4956.2, 12.5, 4956.2]) stats.record(ms);
    for (const p of [50, 95, 99, 100]) {
      const value = stats.percentile(p)!;
      assert.ok(value <= stats.max && value >= stats.min, `p${p} = ${value}, max ${stats.max}`);
    }
    assert.equal(stats.percentile(99), 4956.2);
    stats.reset();
    assert.equal(stats.percentile(50), undefined);
  });
});

describe('SendClock', () => {
  it('says who sent a message, and gives the median of the last few round trips only', () => {
    const clock = new SendClock();
    clock.markSent('m1', 'websocket');
    assert.equal(clock.timingOf('m1')?.sender, 'websocket');
    assert.ok(clock.timingOf('m1')!.ms >= 0);
    assert.equal(clock.timingOf('other'), undefined);
    assert.equal(clock.roundTripMs('long-polling'), undefined);
    for (const ms of [2, 2, 2, 2, 2]) clock.recordRoundTrip('long-polling', ms);
    for (const ms of [402, 405, 401]) clock.recordRoundTrip('long-polling', ms);
    // Three slow round trips after five fast ones: the figure follows within a few samples.
    assert.equal(clock.roundTripMs('long-polling'), 401);
  });
});

describe('figures in words', () => {
  it('describes a wire entry for the hover line', () => {
    const poll = entry(1, { kind: 'request', label: 'GET', detail: 'poll', at: 0, endAt: 25_000, status: 200, bytesIn: 60, empty: true });
    assert.equal(describeEntry(poll, 30_000), 'GET poll · status 200 · empty · 60 B ↓ · 25.0 s');
    const held = entry(2, { kind: 'request', label: 'GET', detail: 'poll', at: 1000 });
    assert.equal(describeEntry(held, 4000), 'GET poll · waiting for the answer · 3.0 s so far');
    assert.equal(describeEntry(entry(3, { direction: 'up', label: 'send', bytesOut: 90 }), 0), '↑ to server: send · 90 B ↑');
    assert.equal(describeEntry(entry(4, { kind: 'mark', label: '101', detail: 'Switching Protocols' }), 0), '101: Switching Protocols');
  });

  it('prints bytes and requests per delivered message', () => {
    assert.deepEqual([0, 9999, 20_480, 20 * 1024 * 1024].map(formatBytes), ['0 B', '9999 B', '20.0 KiB', '20.0 MiB']);
    const traffic = { requests: 40, emptyPolls: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
    assert.equal(requestsPerMessage(traffic), '–');
    assert.equal(requestsPerMessage({ ...traffic, messagesIn: 16 }), '2.5');
    assert.equal(requestsPerMessage({ ...traffic, requests: 0, messagesIn: 16 }), '0.0');
  });
});

describe('ServerClock', () => {
  it('narrows the offset to the intersection of its own messages, and times anyone’s message from the server to here', () => {
    assert.equal(new ServerClock().offset, undefined);
    assert.equal(new ServerClock().sinceServer(1000, 1000), undefined);
    const clock = new ServerClock();
    // The server runs 500 ms ahead. Sent at 0, stamped 510 (10 ms up), back at 20.
    clock.observe(0, 510, 20);
    assert.deepEqual(clock.offset, { ms: 500, uncertaintyMs: 10 });
    // A second message, 2 ms up and 30 down: the intervals' intersection is narrower.
    clock.observe(100, 602, 132);
    const offset = clock.offset;
    assert.ok(offset);
    assert.ok(offset.uncertaintyMs < 10 && Math.abs(offset.ms - 500) <= offset.uncertaintyMs, JSON.stringify(offset));
    // Someone else's message stamped 1500 on the server arrives here at local 1004: about 4 ms after the server had it.
    assert.ok(Math.abs(clock.sinceServer(1500, 1004)! - 4) <= offset.uncertaintyMs);
  });

  it('starts over when a message falls outside what it knew (a clock was set)', () => {
    const clock = new ServerClock();
    clock.observe(0, 510, 20);
    clock.observe(1000, 3010, 1020);
    assert.deepEqual(clock.offset, { ms: 2000, uncertaintyMs: 10 });
  });
});
