// Fetch-compatible functions for the load generator, and the SSE stream's
// EventSource beside them. The client transports take any
// (`ClientTransportOptions.fetch`, `.EventSource`); Node's own `fetch` costs the
// harness ~300 µs of CPU per poll answer, so a cheaper one lets the benchmark
// measure the server instead of itself: by default HTTP/1.1 on plain sockets
// (bench/raw-http.ts), cheaper than undici's request API, which was cheaper
// than a thin keep-alive node:http client (docs/benchmarks.md).
import { Agent as UndiciAgent } from 'undici';
import { NODE_GLOBALS } from '../src/client/node.js';
import type { EventSourceConstructor, FetchFunction, FetchInit, FetchResponse } from '../src/client/transport.js';
import { LeanEventSourceClass } from './event-source.js';
import { RawFetchPool } from './raw-fetch.js';

export const HTTP_CLIENTS = ['raw', 'undici', 'fetch'] as const;
export type HttpClientName = (typeof HTTP_CLIENTS)[number];

export interface HttpClient {
  fetch: FetchFunction;
  EventSource: EventSourceConstructor;
  close(): Promise<void>;
}

/** A fresh client (its own connection pool) per benchmarked server. */
export function createHttpClient(name: HttpClientName): HttpClient {
  switch (name) {
    case 'fetch':
      // What Node users of the client code get: Node's fetch, the `eventsource` package.
      return { fetch: (url, init) => globalThis.fetch(url, init), EventSource: NODE_GLOBALS.EventSource!, close: async () => {} };
    case 'undici':
      return undiciClient();
    case 'raw': {
      const pool = new RawFetchPool();
      return { fetch: pool.fetch, EventSource: LeanEventSourceClass, close: () => Promise.resolve(pool.close()) };
    }
  }
}

const answer = (status: number, headers: Record<string, string | string[] | undefined>, body: string): FetchResponse => ({
  ok: status >= 200 && status < 300,
  status,
  headers: { get: (name) => [headers[name.toLowerCase()] ?? null].flat()[0] ?? null },
  text: () => Promise.resolve(body),
});

/** undici's own request API (not its fetch), one pool per origin, unlimited connections, no pipelining; the lean EventSource beside it. */
function undiciClient(): HttpClient {
  const dispatcher = new UndiciAgent({ pipelining: 1, keepAliveTimeout: 60_000, connections: null });
  return {
    EventSource: LeanEventSourceClass,
    async fetch(url: string, init: FetchInit) {
      const response = await dispatcher.request({
        origin: new URL(url).origin,
        path: url.slice(url.indexOf('/', 8)),
        method: init.method,
        headers: init.headers,
        body: init.body,
        signal: init.signal,
      });
      return answer(response.statusCode, response.headers, await response.body.text());
    },
    close: () => dispatcher.close(),
  };
}
