// Baseline: long polling on a bare node:http server. A GET with nothing new
// is held until the next message or `wait` ms; every held poll is answered
// on each message.
import { createServer, type ServerResponse } from 'node:http';
import { BARE_EPOCH, bareCursor, bareSince, onBareMessage } from './bare-message.js';
import { bareSend, route, sendJson } from './bare-http.js';
import { serveWithStats } from './serve-stats.js';

const held = new Map<ServerResponse, { since: number; timer: NodeJS.Timeout }>();

const answer = (response: ServerResponse, since: number): void =>
  sendJson(response, 200, { messages: bareSince(since), cursor: bareCursor(), epoch: BARE_EPOCH });

function release(response: ServerResponse): void {
  const poll = held.get(response);
  if (!poll) return;
  held.delete(response);
  clearTimeout(poll.timer);
  answer(response, poll.since);
}

onBareMessage(() => {
  for (const response of [...held.keys()]) release(response);
});

const server = createServer((request, response) => {
  const { path, query } = route(request);
  if (path !== '/api/long-polling/messages') return sendJson(response, 404, {});
  if (request.method === 'POST') return bareSend(request, response, 'long-polling');
  const raw = query.get('since');
  if (raw === null || Number(raw) < bareCursor()) return answer(response, raw === null ? bareCursor() : Number(raw));
  const since = Number(raw);
  const timer = setTimeout(() => release(response), Number(query.get('wait') ?? 25_000));
  held.set(response, { since, timer });
  response.once('close', () => {
    clearTimeout(timer);
    held.delete(response);
  });
});

await serveWithStats(server);
