// Server-Sent Events: the browser's own EventSource receives, and reconnects
// by itself after a cut, resuming with Last-Event-ID (nothing of ours runs
// for that: the pane shows its readyState and counts those reconnects).
// Sends are POSTs, as the polling clients make them.
import type { Message, SendInput } from '../chat/message.js';
import { BaseClientTransport, byteLength, randomId, type CatchupHeader } from './base.js';
import { postMessage } from './http-sender.js';
import type { ClientTransportOptions, EventSourceConstructor, SendReceipt } from './transport.js';

const READY_STATES = ['CONNECTING', 'OPEN', 'CLOSED'] as const;
const CLOSED = 2;

export class SseTransport extends BaseClientTransport {
  readonly name = 'sse';
  /** Names this client to the server's send rate limit. */
  readonly clientId = randomId();
  /** Reconnects the EventSource made by itself (each resumed with Last-Event-ID), not ours. */
  ownReconnects = 0;
  readonly #EventSource: EventSourceConstructor;
  #source: EventSource | undefined;

  constructor(options: ClientTransportOptions) {
    super(options);
    const EventSourceClass = options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
    if (!EventSourceClass) throw new Error('No EventSource here: pass options.EventSource (e.g. the `eventsource` package in Node 20)');
    this.#EventSource = EventSourceClass;
  }

  /** The EventSource's own state: CONNECTING (0), OPEN (1) or CLOSED (2); undefined while off. */
  get readyState(): number | undefined {
    return this.#source?.readyState;
  }

  get #messagesUrl(): string {
    return `${this.baseUrl}/api/sse/messages`;
  }

  protected open(): void {
    const query = new URLSearchParams(Object.entries(this.resumeQuery()).map(([key, value]) => [key, String(value)]));
    const source = new this.#EventSource(`${this.#messagesUrl}?${query}`);
    const generation = this.generation;
    const current = (): boolean => generation === this.generation;
    this.#source = source;
    this.traffic.requests++;
    source.addEventListener('open', () => current() && this.setStatus('open', this.#detail()));
    source.addEventListener('welcome', (event: MessageEvent<string>) => {
      if (!current()) return;
      this.traffic.bytesIn += byteLength(event.data);
      this.beginCatchup(JSON.parse(event.data) as CatchupHeader, true);
    });
    source.addEventListener('message', (event: MessageEvent<string>) => {
      if (!current()) return;
      this.traffic.bytesIn += byteLength(event.data);
      this.deliver(JSON.parse(event.data) as Message);
    });
    source.addEventListener('error', () => {
      if (!current()) return;
      // CLOSED: it gave up for good (an answer other than 200: 400, 403, 429, 503), so we reconnect, with backoff, from our cursor.
      if (source.readyState === CLOSED) return this.connectionLost('EventSource closed (the server refused the stream)');
      // CONNECTING: the EventSource reconnects by itself after `retry` ms.
      this.ownReconnects++;
      this.traffic.requests++;
      this.setStatus('reconnecting', this.#detail());
    });
  }

  protected close(): void {
    this.#source?.close();
    this.#source = undefined;
  }

  protected transmit(input: SendInput): Promise<SendReceipt> {
    return postMessage(this.traffic, this.#messagesUrl, this.clientId, input, this.sendTimeoutMs);
  }

  #detail(): string {
    const state = READY_STATES[this.readyState ?? CLOSED];
    return `readyState ${state} · ${this.ownReconnects} own reconnect${this.ownReconnects === 1 ? '' : 's'}`;
  }
}
