// The load generator's EventSource: the part of the standard one that
// src/client/sse.ts uses (readyState, addEventListener, close, and the
// EventSource's own reconnect after `retry` ms with Last-Event-ID), on
// undici's request API and eventsource-parser. The `eventsource` package (what
// the tests and Node users get) builds a WHATWG stream, an EventTarget
// dispatch and a MessageEvent per event: at saturation those per-event costs
// took most of the harness's core, so the benchmark measured itself. This one
// hands each event to its listeners as a plain object.
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import type { EventSourceConstructor } from '../src/client/transport.js';

/** The fields of a MessageEvent that our client reads. */
export interface LeanEvent {
  type: string;
  data: string;
  lastEventId: string;
}

type Listener = (event: LeanEvent) => void;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/** Until the server sends `retry:` (browsers wait a few seconds). */
const DEFAULT_RETRY_MS = 3000;

export interface LeanEventSourceInit {
  /** undici's global dispatcher if absent. */
  dispatcher?: Dispatcher;
}

export class LeanEventSource {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSED = CLOSED;
  readonly url: string;
  readyState = CONNECTING;
  readonly #origin: string;
  readonly #path: string;
  readonly #dispatcher: Dispatcher;
  readonly #listeners = new Map<string, Listener[]>();
  readonly #parser = createParser({
    onEvent: (message) => this.#received(message),
    onRetry: (ms) => (this.#retryMs = ms),
  });
  #lastEventId = '';
  #retryMs = DEFAULT_RETRY_MS;
  /** The current attempt's; a callback of an older attempt finds another (or none) here and does nothing. */
  #abort: AbortController | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string, init: LeanEventSourceInit = {}) {
    this.url = url;
    const { origin, pathname, search } = new URL(url);
    this.#origin = origin;
    this.#path = pathname + search;
    this.#dispatcher = init.dispatcher ?? getGlobalDispatcher();
    this.#connect(); // nothing fires before the caller's listeners are added: the answer comes in a later tick
  }

  addEventListener(type: string, listener: Listener): void {
    const listeners = this.#listeners.get(type);
    if (listeners) listeners.push(listener);
    else this.#listeners.set(type, [listener]);
  }

  removeEventListener(type: string, listener: Listener): void {
    const listeners = this.#listeners.get(type);
    if (listeners?.includes(listener)) listeners.splice(listeners.indexOf(listener), 1);
  }

  close(): void {
    this.readyState = CLOSED;
    clearTimeout(this.#reconnectTimer);
    const abort = this.#abort;
    this.#abort = undefined;
    abort?.abort();
  }

  #connect(): void {
    const abort = new AbortController();
    this.#abort = abort;
    this.#parser.reset();
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
    if (this.#lastEventId) headers['last-event-id'] = this.#lastEventId;
    this.#dispatcher.request({ origin: this.#origin, path: this.#path, method: 'GET', headers, signal: abort.signal }).then(
      (response) => this.#answered(abort, response),
      () => this.#lost(abort),
    );
  }

  #answered(abort: AbortController, { statusCode, headers, body }: Dispatcher.ResponseData): void {
    if (abort !== this.#abort) return void body.destroy();
    const type = headers['content-type'];
    if (statusCode !== 200 || typeof type !== 'string' || !type.startsWith('text/event-stream')) {
      // A refusal (400, 403, 429, 503...): the EventSource gives up for good, as the standard one does.
      body.dump().catch(() => undefined);
      this.#abort = undefined;
      this.readyState = CLOSED;
      return this.#emit('error', '');
    }
    // undici's body does not decode on setEncoding: its chunks are Buffers, and a character may straddle two.
    const decoder = new StringDecoder('utf8');
    body.on('data', (chunk: Buffer) => {
      if (abort === this.#abort) this.#parser.feed(decoder.write(chunk));
    });
    body.on('end', () => this.#lost(abort));
    body.on('error', () => this.#lost(abort));
    this.readyState = OPEN;
    this.#emit('open', '');
  }

  #received({ event, id, data }: EventSourceMessage): void {
    if (id !== undefined) this.#lastEventId = id;
    if (this.readyState === OPEN) this.#emit(event ?? 'message', data);
  }

  /** The stream ended or broke, or never connected: reconnect after `retry` ms, resuming from the last event's id. */
  #lost(abort: AbortController): void {
    if (abort !== this.#abort) return;
    this.#abort = undefined;
    this.readyState = CONNECTING;
    this.#emit('error', '');
    if (this.readyState !== CONNECTING) return; // closed by a listener
    this.#reconnectTimer = setTimeout(() => this.#connect(), this.#retryMs);
  }

  #emit(type: string, data: string): void {
    const listeners = this.#listeners.get(type);
    if (!listeners) return;
    const event: LeanEvent = { type, data, lastEventId: this.#lastEventId };
    for (const listener of listeners) listener(event);
  }
}

/** The lean EventSource on `dispatcher`, as the client transports take an EventSource (they read only what it has). */
export function leanEventSourceOn(dispatcher: Dispatcher): EventSourceConstructor {
  return class extends LeanEventSource {
    constructor(url: string) {
      super(url, { dispatcher });
    }
  } as unknown as EventSourceConstructor;
}
