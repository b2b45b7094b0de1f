// Fetch-compatible functions for the load generator. The client transports
// take any (`ClientTransportOptions.fetch`); Node's own `fetch` costs the
// harness ~300 µs of CPU per poll answer, so a cheaper one lets the benchmark
// measure the server instead of itself. undici's request API measured
// cheaper than a thin keep-alive node:http client (docs/benchmarks.md).
import { Agent as UndiciAgent } from 'undici';
import type { FetchFunction, FetchInit, FetchResponse } from '../src/client/transport.js';

export const HTTP_CLIENTS = ['undici', 'fetch'] as const;
export type HttpClientName = (typeof HTTP_CLIENTS)[number];

/** A fresh client (its own connection pool) per benchmarked server. */
export function createHttpClient(name: HttpClientName): { fetch: FetchFunction; close(): Promise<void> } {
  switch (name) {
    case 'fetch':
      return { fetch: (url, init) => globalThis.fetch(url, init), close: async () => {} };
    case 'undici':
      return undiciClient();
  }
}

const answer = (status: number, headers: Record<string, string | string[] | undefined>, body: string): FetchResponse => ({
  ok: status >= 200 && status < 300,
  status,
  headers: { get: (name) => [headers[name.toLowerCase()] ?? null].flat()[0] ?? null },
  text: () => Promise.resolve(body),
});

/** undici's own request API (not its fetch), one pool per origin, unlimited connections, no pipelining. */
function undiciClient(): { fetch: FetchFunction; close(): Promise<void> } {
  const dispatcher = new UndiciAgent({ pipelining: 1, keepAliveTimeout: 60_000, connections: null });
  return {
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
