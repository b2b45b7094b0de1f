// A fetch-compatible function on bench/raw-http.ts's keep-alive connections:
// only what the client transports use (method, headers, a string body, an
// AbortSignal; status, ok, headers.get(), text()). A connection carries one
// request at a time and goes back to the pool when its answer is complete.
import { StringDecoder } from 'node:string_decoder';
import type { FetchFunction, FetchInit, FetchResponse } from '../src/client/transport.js';
import { RawConnection, requestHead } from './raw-http.js';

export class RawFetchPool {
  /** Idle connections per origin. */
  readonly #idle = new Map<string, RawConnection[]>();
  readonly #all = new Set<RawConnection>();

  readonly fetch: FetchFunction = (url, init) => this.#fetch(new URL(url), init);

  close(): void {
    for (const connection of this.#all) connection.destroy();
  }

  #fetch(url: URL, init: FetchInit): Promise<FetchResponse> {
    return new Promise((resolve, reject) => {
      if (init.signal.aborted) return reject(abortError());
      const connection = this.#take(url);
      const onAbort = (): void => connection.destroy();
      init.signal.addEventListener('abort', onAbort, { once: true });
      const headers = { ...init.headers, ...(init.body !== undefined && { 'content-length': String(Buffer.byteLength(init.body)) }) };
      const decoder = new StringDecoder('utf8');
      let status = 0;
      let answerHeaders: ReadonlyMap<string, string> = new Map();
      let text = '';
      connection.request(requestHead(init.method, url, headers), init.body, {
        head: (code, fields) => {
          status = code;
          answerHeaders = fields;
          return true;
        },
        body: (bytes) => (text += decoder.write(bytes)),
        end: (complete) => {
          init.signal.removeEventListener('abort', onAbort);
          if (!complete) return reject(init.signal.aborted ? abortError() : new Error(`connection lost: ${init.method} ${url.pathname}`));
          text += decoder.end();
          if (connection.reusable) this.#idleFor(url.origin).push(connection);
          else connection.destroy();
          resolve({
            ok: status >= 200 && status < 300,
            status,
            headers: { get: (name) => answerHeaders.get(name.toLowerCase()) ?? null },
            text: () => Promise.resolve(text),
          });
        },
      });
    });
  }

  #take(url: URL): RawConnection {
    const idle = this.#idleFor(url.origin);
    for (let connection = idle.pop(); connection; connection = idle.pop()) if (!connection.closed) return connection;
    const connection = new RawConnection(url, () => {
      this.#all.delete(connection);
      const list = this.#idleFor(url.origin);
      if (list.includes(connection)) list.splice(list.indexOf(connection), 1);
    });
    this.#all.add(connection);
    return connection;
  }

  #idleFor(origin: string): RawConnection[] {
    let idle = this.#idle.get(origin);
    if (!idle) this.#idle.set(origin, (idle = []));
    return idle;
  }
}

/** What fetch rejects with when its signal aborts. */
const abortError = (): Error => new DOMException('This operation was aborted', 'AbortError');
