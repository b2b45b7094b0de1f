// True participant counts (issue 11): with a known number of real clients per
// transport, GET /api/stats reports exactly that many, sample after sample
// (a short poller between two polls and a long poller in a held poll both
// count, once each), and every count falls to 0 once the clients have gone
// and the presence window has passed.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { TransportName } from '../src/chat/transports.js';
import type { StatsSample } from '../src/lab/stats.js';
import { SAMPLE_MS } from '../src/lab/stats.js';
import { connected, disconnectAll, input, makeClient, startServer } from './helpers.js';

const CLIENTS: Record<TransportName, number> = { 'short-polling': 3, 'long-polling': 2, websocket: 4, socketio: 2, sse: 3 };
const WINDOW_MS = 5000;

async function participants(baseUrl: string): Promise<{ at: number; counts: Record<string, number> }> {
  const sample = (await (await fetch(`${baseUrl}/api/stats`)).json()) as StatsSample;
  return {
    at: sample.at,
    counts: Object.fromEntries(Object.entries(sample.transports).map(([name, figures]) => [name, figures.participants])),
  };
}

/** The next sample after the one of now. */
async function nextSample(baseUrl: string): Promise<Record<string, number>> {
  const { at } = await participants(baseUrl);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS / 4));
    const sample = await participants(baseUrl);
    if (sample.at > at) return sample.counts;
  }
}

const sameCounts = (a: Record<string, number>, b: Record<string, number>): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Samples until `done` holds; fails with the last counts after `timeoutMs`. */
async function sampleUntil(
  baseUrl: string,
  done: (counts: Record<string, number>) => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await nextSample(baseUrl);
    if (done(counts)) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: last ${JSON.stringify(counts)}`);
  }
}

describe('participants per transport', () => {
  after(disconnectAll);

  it(
    'equal the known number of clients on each transport, and fall to 0 after the window once they close',
    { timeout: 60_000 },
    async () => {
      const server = await startServer({ presenceWindowMs: WINDOW_MS });
      try {
        // Short polling at the page's default 1 s (counted 4 for 2 clients before), long polls held 25 s (counted 0 before).
        const clients = Object.entries(CLIENTS).flatMap(([name, count]) =>
          Array.from({ length: count }, () => makeClient(name as TransportName, server.baseUrl, { intervalMs: 1000 })),
        );
        await Promise.all(clients.map((client) => connected(client)));
        // One message, so every long poll is answered and re-held (a new request from the same client).
        await clients[0]!.send(input('hello'));

        // Once every client has been seen (a sample or two), the counts are exact.
        await sampleUntil(server.baseUrl, (counts) => sameCounts(counts, CLIENTS), 10_000, 'the exact counts');
        // Samples a second apart, across short polls and a window's worth of held long polls: always exact.
        for (let sample = 0; sample < Math.ceil(WINDOW_MS / SAMPLE_MS) + 2; sample++) {
          assert.deepEqual(await nextSample(server.baseUrl), CLIENTS, `sample ${sample}`);
        }

        disconnectAll();
        const zero = Object.fromEntries(Object.keys(CLIENTS).map((name) => [name, 0]));
        await sampleUntil(server.baseUrl, (counts) => sameCounts(counts, zero), WINDOW_MS + 10 * SAMPLE_MS, 'every count at 0');
      } finally {
        await server.close();
      }
    },
  );
});
