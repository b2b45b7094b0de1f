// The load generator's EventSource: the part of the standard one that
// src/client/sse.ts uses (readyState, addEventListener, close, and the
// EventSource's own reconnect after `retry` ms with Last-Event-ID), on a
// connection of its own (bench/raw-http.ts), its events read straight off the
// bytes (bench/sse-parser.ts). The
// `eventsource` package (what the tests and Node users get) builds a WHATWG
// stream, an EventTarget dispatch and a MessageEvent per event: at saturation
// those per-event costs took most of the harness's core, so the benchmark
// measured itself. This one hands each event to its listeners as a plain object.
import type { EventSourceConstructor } from '../src/client/transport.js';
import { RawConnection, requestHead } from './raw-http.js';
import { SseParser, type SseEvent } from './sse-parser.js';

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

export class LeanEventSource {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSED = CLOSED;
  readonly url: string;
  readyState = CONNECTING;
  readonly #url: URL;
  readonly #listeners = new Map<string, Listener[]>();
  readonly #parser = new SseParser(
    (event) => this.#received(event),
    (ms) => (this.#retryMs = ms),
  );
  #lastEventId = '';
  #retryMs = DEFAULT_RETRY_MS;
  /** The current attempt's connection; undefined between attempts. */
  #connection: RawConnection | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string) {
    this.url = url;
    this.#url = new URL(url);
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
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.destroy();
  }

  #connect(): void {
    this.#parser.reset();
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
    if (this.#lastEventId) headers['last-event-id'] = this.#lastEventId;
    const connection = new RawConnection(this.#url);
    const current = (): boolean => connection === this.#connection;
    this.#connection = connection;
    connection.request(requestHead('GET', this.#url, headers), undefined, {
      head: (status, answerHeaders) => current() && this.#answered(status, answerHeaders.get('content-type')),
      body: (bytes) => {
        if (current()) this.#parser.feed(bytes);
      },
      end: () => {
        if (current()) this.#lost();
      },
    });
  }

  /** Whether the stream is taken: a refusal (400, 403, 429, 503...) makes the EventSource give up for good, as the standard one does. */
  #answered(status: number, type: string | undefined): boolean {
    if (status !== 200 || !type?.startsWith('text/event-stream')) {
      this.#connection = undefined;
      this.readyState = CLOSED;
      this.#emit('error', '');
      return false;
    }
    this.readyState = OPEN;
    this.#emit('open', '');
    return true;
  }

  #received({ event, id, data }: SseEvent): void {
    if (id !== undefined) this.#lastEventId = id;
    if (data !== undefined && this.readyState === OPEN) this.#emit(event ?? 'message', data);
  }

  /** The stream ended or broke, or never connected: reconnect after `retry` ms, resuming from the last event's id. */
  #lost(): void {
    this.#connection = undefined;
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

/** The lean EventSource, as the client transports take an EventSource (they read only what it has). */
export const LeanEventSourceClass = LeanEventSource as unknown as EventSourceConstructor;
