// Baseline: short polling on a bare node:http server. Every GET answers at once.
import { createServer } from 'node:http';
import { BARE_EPOCH, bareCursor, bareSince } from './bare-message.js';
import { bareSend, route, sendJson } from './bare-http.js';
import { serveWithStats } from './serve-stats.js';

const server = createServer((request, response) => {
  const { path, query } = route(request);
  if (path !== '/api/short-polling/messages') return sendJson(response, 404, {});
  if (request.method === 'POST') return bareSend(request, response, 'short-polling');
  const since = query.get('since');
  sendJson(response, 200, { messages: since === null ? [] : bareSince(Number(since)), cursor: bareCursor(), epoch: BARE_EPOCH });
});

await serveWithStats(server);
