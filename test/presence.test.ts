// Unit tests of src/lab/presence.ts: distinct ids per transport within the
// window, forgotten once it has passed, bounded memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryPresence } from '../src/lab/presence.js';

describe('MemoryPresence', () => {
  it('counts distinct client ids per transport seen within the window', () => {
    const presence = new MemoryPresence(10_000);
    presence.seen('short-polling', 'a', 1000);
    presence.seen('short-polling', 'a', 2000); // the same client polling again
    presence.seen('short-polling', 'b', 3000);
    presence.seen('websocket', 'a', 3000); // the same id on another transport is another participant there
    const counts = presence.counts(5000);
    assert.equal(counts['short-polling'], 2);
    assert.equal(counts.websocket, 1);
    assert.equal(counts['long-polling'], 0);
    assert.equal(counts.sse, 0);
  });

  it('forgets a client once the window has passed since it was last seen', () => {
    const presence = new MemoryPresence(10_000);
    presence.seen('long-polling', 'a', 0);
    presence.seen('long-polling', 'b', 0);
    presence.seen('long-polling', 'a', 8000); // seen again: its window starts over
    assert.equal(presence.counts(10_000)['long-polling'], 2, 'both inside the window');
    assert.equal(presence.counts(10_001)['long-polling'], 1, 'b left');
    assert.equal(presence.counts(18_001)['long-polling'], 0, 'a left too');
  });

  it('remembers at most maxIds per transport, forgetting the longest unseen first', () => {
    const presence = new MemoryPresence(10_000, 3);
    for (const [at, id] of ['a', 'b', 'c', 'd'].entries()) presence.seen('sse', id, at);
    presence.seen('sse', 'b', 10);
    presence.seen('sse', 'e', 11); // forgets c (a went when d came)
    assert.equal(presence.counts(20)['sse'], 3);
    assert.equal(presence.counts(10_004)['sse'], 2, 'd left; b and e stay');
  });
});
