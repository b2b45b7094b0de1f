// Held polls: released by a message or the wait, one per client, capped, cleaned up on abort.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postText, startServer, type RunningServer } from './helpers.js';

describe('long polling', () => {
  let server: RunningServer;
  let url: string;
  before(async () => {
    server = await startServer({ longPollMaxHeld: 2 });
    url = `${server.baseUrl}/api/long-polling/messages`;
  });
  after(() => server.close());

  // Every response body is read in full: an unread one keeps its connection busy and delays close().
  const cursor = async (): Promise<number> => ((await (await fetch(url)).json()) as { cursor: number }).cursor;
  const post = (text: string): Promise<void> => postText(url, text, 'lp');

  it('holds a poll until a message arrives, then answers with it', async () => {
    const since = await cursor();
    let answered = false;
    const poll = fetch(`${url}?since=${since}&wait=10000`).then(async (response) => {
      answered = true;
      return response.json() as Promise<{ messages: Array<{ text: string }>; cursor: number }>;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(answered, false, 'the poll must be held while there is nothing new');
    await post('wake up');
    const body = await poll;
    assert.deepEqual(
      body.messages.map((m) => m.text),
      ['wake up'],
    );
    assert.equal(body.cursor, since + 1);
  });

  it('answers an empty list when the wait runs out', async () => {
    const since = await cursor();
    const body = (await (await fetch(`${url}?since=${since}&wait=100`)).json()) as { messages: unknown[]; cursor: number };
    assert.deepEqual(body.messages, []);
    assert.equal(body.cursor, since);
  });

  it("answers a client's older poll at once when it polls again", async () => {
    const since = await cursor();
    const first = fetch(`${url}?since=${since}&wait=10000&client=c1`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = fetch(`${url}?since=${since}&wait=10000&client=c1`);
    const firstBody = (await (await first).json()) as { messages: unknown[] };
    assert.deepEqual(firstBody.messages, []);
    await post('for the second');
    const secondBody = (await (await second).json()) as { messages: unknown[] };
    assert.equal(secondBody.messages.length, 1);
  });

  type Outcome = 'held' | { status: number; retryAfter: string | null; body: { error?: { code: string } } };

  /** Polls with a short patience: 'held' if the server still holds it when we give up, else the answer (read in full). */
  async function probe(client: string): Promise<Outcome> {
    const since = await cursor();
    try {
      const response = await fetch(`${url}?since=${since}&wait=10000&client=${client}`, { signal: AbortSignal.timeout(150) });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as { error?: { code: string } },
      };
    } catch {
      return 'held';
    }
  }

  async function probeUntil(wanted: (outcome: Outcome) => boolean, what: string): Promise<Outcome> {
    for (let tries = 0; tries < 100; tries++) {
      const outcome = await probe('probe');
      if (wanted(outcome)) return outcome;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`never saw ${what}`);
  }

  it('answers 503 with Retry-After beyond the global cap, and frees slots when clients abort', async () => {
    const since = await cursor();
    const aborts = [new AbortController(), new AbortController()];
    const held = aborts.map((abort, n) =>
      fetch(`${url}?since=${since}&wait=10000&client=held-${n}`, { signal: abort.signal }).catch(() => 'aborted'),
    );
    const refused = await probeUntil((o) => o !== 'held' && o.status === 503, 'a 503');
    assert.ok(refused !== 'held');
    assert.equal(refused.retryAfter, '1');
    assert.equal(refused.body.error?.code, 'too_many_polls');

    aborts.forEach((abort) => abort.abort());
    assert.deepEqual(await Promise.all(held), ['aborted', 'aborted']);
    // The aborted polls' slots come back: a new poll is held again, not refused.
    assert.equal(await probeUntil((o) => o === 'held', 'a held poll after the aborts'), 'held');
  });
});
