// What the bare HTTP baselines (short polling, long polling, SSE) share: the
// POST send, a JSON answer and the routing, on plain node:http, with Node's default headers only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SendInput } from '../src/chat/message.js';
import type { TransportName } from '../src/chat/transports.js';
import { bareMessage } from './bare-message.js';

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** `POST /api/<via>/messages` -> 201 {message}. */
export function bareSend(request: IncomingMessage, response: ServerResponse, via: TransportName): void {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => sendJson(response, 201, { message: bareMessage(JSON.parse(body) as SendInput, via) }));
}

/** The request's path and query, for a server that routes by hand. */
export function route(request: IncomingMessage): { path: string; query: URLSearchParams } {
  const url = request.url ?? '/';
  const mark = url.indexOf('?');
  return mark === -1
    ? { path: url, query: new URLSearchParams() }
    : { path: url.slice(0, mark), query: new URLSearchParams(url.slice(mark + 1)) };
}
