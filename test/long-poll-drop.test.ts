// The lab's drop on long polling cuts each held poll once its answer has
// begun: a client reading it sees the cut (a browser would otherwise re-send
// a GET cut before any byte by itself, unseen by the page), and the real
// client goes "reconnecting", then resumes from its cursor with nothing lost.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { connected, disconnectAll, input, makeClient, startServer, waitFor } from './helpers.js';

const TOKEN = 'drop-test-token';

describe('long-poll drop', () => {
  after(disconnectAll);

  it('answers 200 headers and a partial body, then closes: the reader sees a cut, the client reconnects and catches up', async () => {
    const server = await startServer({ presenterToken: TOKEN });
    try {
      const { cursor } = (await (await fetch(`${server.baseUrl}/api/long-polling/messages`)).json()) as { cursor: number };
      // A raw held poll, to see the bytes.
      const raw = new Promise<{ status: number | undefined; headers: http.IncomingHttpHeaders; body: string; aborted: boolean }>(
        (resolve) => {
          http.get(`${server.baseUrl}/api/long-polling/messages?since=${cursor}&wait=20000&client=raw-poller`, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('close', () => resolve({ status: res.statusCode, headers: res.headers, body, aborted: !res.complete }));
          });
        },
      );
      const client = makeClient('long-polling', server.baseUrl);
      const recorder = await connected(client);
      const statuses: string[] = [];
      client.on('status', (status) => statuses.push(status));
      await waitFor(() => server.app.lab.stats.last.transports['long-polling'].heldPolls >= 2, 5000, 'two held polls');

      const drop = await fetch(`${server.baseUrl}/api/lab/drop`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ transport: 'long-polling' }),
      });
      assert.equal(((await drop.json()) as { dropped: number }).dropped, 2);
      const cut = await raw;
      assert.equal(cut.status, 200, 'the answer had begun');
      assert.ok(cut.aborted, 'and was cut before its end');
      assert.equal(cut.body, '{"messages":[');
      // Cut past Fastify's reply, it still carries the API's headers.
      assert.equal(cut.headers['x-content-type-options'], 'nosniff');
      assert.equal(cut.headers['cache-control'], 'no-store');
      assert.equal(cut.headers['cross-origin-resource-policy'], 'same-origin');

      await waitFor(() => statuses.includes('reconnecting'), 10_000, 'reconnecting');
      // Its new poll is held until there is news: the next message answers it.
      await client.send(input('after the cut'));
      await recorder.waitForMessages(1);
      await waitFor(() => client.status === 'open', 10_000, 'open again');
      assert.equal(recorder.messages.at(-1)!.text, 'after the cut');
    } finally {
      await server.close();
    }
  });
});
