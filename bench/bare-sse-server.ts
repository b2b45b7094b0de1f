// Baseline: Server-Sent Events on a bare node:http server. Each message is
// encoded once per broadcast and written to every open stream.
import { createServer, type ServerResponse } from 'node:http';
import { BARE_EPOCH, bareCursor, bareSince, onBareMessage } from './bare-message.js';
import { bareSend, route, sendJson } from './bare-http.js';
import { serveWithStats } from './serve-stats.js';

const streams = new Set<ServerResponse>();

const event = (name: string, id: number, data: unknown): string =>
  `id: ${BARE_EPOCH}:${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

onBareMessage((message) => {
  const frame = event('message', message.id, message);
  for (const stream of streams) stream.write(frame);
});

const server = createServer((request, response) => {
  const { path, query } = route(request);
  if (path !== '/api/sse/messages') return sendJson(response, 404, {});
  if (request.method === 'POST') return bareSend(request, response, 'sse');
  // Last-Event-ID (`<epoch>:<id>`, the EventSource's own reconnect) wins over the query, as in the contract.
  const lastEventId = request.headers['last-event-id'];
  const raw = typeof lastEventId === 'string' ? lastEventId.split(':')[1] : query.get('since');
  const since = raw === null || raw === undefined ? bareCursor() : Number(raw);
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.socket?.setNoDelay(true);
  // The welcome's id is where this stream's messages continue from, as ours: a cut before the first message resumes there.
  response.write(`retry: 1000\n${event('welcome', since, { epoch: BARE_EPOCH, cursor: bareCursor() })}`);
  for (const message of bareSince(since)) response.write(event('message', message.id, message));
  streams.add(response);
  response.once('close', () => streams.delete(response));
});

await serveWithStats(server);
