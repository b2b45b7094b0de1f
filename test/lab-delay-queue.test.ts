// The lab's delay queue with real timers: latency without reordering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DelayQueue } from '../src/lab/delay-queue.js';

describe('DelayQueue', () => {
  it('runs at once while there is no delay and nothing waiting', () => {
    const ran: number[] = [];
    new DelayQueue(() => 0).push(() => ran.push(1));
    assert.deepEqual(ran, [1]);
  });

  it('keeps the order of arrival whatever delay each task draws', async () => {
    const delays = [80, 5, 40, 0, 60, 1, 20, 0];
    let next = 0;
    const queue = new DelayQueue(() => delays[next++]!);
    const ran: number[] = [];
    const startedAt = performance.now();
    await Promise.all(delays.map((_, index) => new Promise<void>((resolve) => queue.push(() => resolve(void ran.push(index))))));
    assert.deepEqual(
      ran,
      delays.map((_, index) => index),
    );
    // Nothing ran before the first task's delay (the later ones queue behind it).
    assert.ok(performance.now() - startedAt >= 75); // (timers may fire a hair early)
  });

  it('keeps the order when the delay is removed while tasks wait', async () => {
    let delay = 50;
    const queue = new DelayQueue(() => delay);
    const ran: string[] = [];
    const first = queue.wait().then(() => ran.push('delayed'));
    delay = 0;
    const second = queue.wait().then(() => ran.push('undelayed'));
    await Promise.all([first, second]);
    assert.deepEqual(ran, ['delayed', 'undelayed']);
  });

  it('flush runs everything waiting at once, in order', () => {
    const queue = new DelayQueue(() => 10_000);
    const ran: number[] = [];
    for (const index of [1, 2, 3]) queue.push(() => ran.push(index));
    assert.deepEqual(ran, []);
    queue.flush();
    assert.deepEqual(ran, [1, 2, 3]);
  });
});
