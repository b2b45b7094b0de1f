// Server-Sent Events: the browser's own EventSource receives, and reconnects
// by itself after a cut, resuming with Last-Event-ID (nothing of ours runs
// for that: the pane shows its readyState and counts those reconnects).
// Sends are POSTs, as the polling clients make them. On the wire timeline: the
// stream's GET until its answer, each event, and the EventSource's own reconnects.
import type { Message, SendInput } from '../chat/message.js';
import { BaseClientTransport, byteLength, type CatchupHeader, type WireEnd } from './base.js';
import { fetchOf, postMessage, type HttpChannel } from './http-sender.js';
import type { ClientTransportOptions, EventSourceConstructor, SendReceipt } from './transport.js';

const READY_STATES = ['CONNECTING', 'OPEN', 'CLOSED'] as const;
const CLOSED = 2;

export class SseTransport extends BaseClientTransport {
  readonly name = 'sse';
  /** Reconnects the EventSource made by itself (each resumed with Last-Event-ID), not ours. */
  ownReconnects = 0;
  readonly #EventSource: EventSourceConstructor;
  #source: EventSource | undefined;
  /** The sends' requests (the stream is the EventSource's own). */
  readonly #http: HttpChannel;
  /** The stream's GET on the wire timeline, while it waits for its answer. */
  #endStreamRequest: WireEnd | undefined;
  /** The id of the last event received (`<epoch>:<id>`): what the EventSource resumes from. */
  #lastEventId = '';

  constructor(options: ClientTransportOptions) {
    super(options);
    this.#http = { fetch: fetchOf(options), traffic: this.traffic };
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
    // `client` names the stream after the sends' rate-limit key (a persistent flooder's stream is ended) and counts us.
    const resume = { ...this.resumeQuery(), client: this.clientId };
    const query = new URLSearchParams(Object.entries(resume).map(([key, value]) => [key, String(value)]));
    const source = new this.#EventSource(`${this.#messagesUrl}?${query}`);
    const generation = this.generation;
    const current = (): boolean => generation === this.generation;
    this.#source = source;
    this.traffic.requests++;
    this.#endStreamRequest = this.wireStart({ kind: 'request', label: 'GET', detail: 'stream', roundTrip: true });
    source.addEventListener('open', () => {
      if (!current()) return;
      this.#endStream(200);
      this.wire({ kind: 'mark', label: 'open', detail: 'stream open: events follow on this one response' });
      this.setStatus('open', this.#detail());
    });
    source.addEventListener('welcome', (event: MessageEvent<string>) => {
      if (!current()) return;
      this.#received(event);
      this.beginCatchup(JSON.parse(event.data) as CatchupHeader, true);
    });
    source.addEventListener('message', (event: MessageEvent<string>) => {
      if (!current()) return;
      this.#received(event);
      this.deliver(JSON.parse(event.data) as Message);
    });
    source.addEventListener('error', () => {
      if (!current()) return;
      // CLOSED: it gave up for good (an answer other than 200: 400, 403, 429, 503), so we reconnect, with backoff, from our cursor.
      if (source.readyState === CLOSED) {
        this.#endStream('refused');
        return this.connectionLost('EventSource closed (the server refused the stream)');
      }
      // CONNECTING: the EventSource reconnects by itself after `retry` ms.
      this.#endStream('failed');
      this.ownReconnects++;
      this.traffic.requests++;
      const resumesFrom = this.#lastEventId ? `Last-Event-ID: ${this.#lastEventId}` : 'no Last-Event-ID yet';
      this.wire({ kind: 'mark', label: 'reconnect', detail: `stream cut: the EventSource reconnects by itself (${resumesFrom})` });
      this.#endStreamRequest = this.wireStart({ kind: 'request', label: 'GET', detail: `stream, reconnect (${resumesFrom})` });
      this.setStatus('reconnecting', this.#detail());
    });
  }

  protected close(): void {
    this.#endStream('closed');
    this.#source?.close();
    this.#source = undefined;
  }

  protected transmit(input: SendInput): Promise<SendReceipt> {
    return postMessage(this.#http, (fields) => this.wireStart(fields), this.#messagesUrl, this.clientId, input, this.sendTimeoutMs);
  }

  /** An event came down the stream. */
  #received(event: MessageEvent<string>): void {
    const bytes = byteLength(event.data);
    this.traffic.bytesIn += bytes;
    if (event.lastEventId) this.#lastEventId = event.lastEventId;
    this.wire({ kind: 'frame', direction: 'down', label: event.type, bytesIn: bytes });
  }

  #endStream(status: number | string): void {
    this.#endStreamRequest?.({ status });
    this.#endStreamRequest = undefined;
  }

  #detail(): string {
    const state = READY_STATES[this.readyState ?? CLOSED];
    return `readyState ${state} · ${this.ownReconnects} own reconnect${this.ownReconnects === 1 ? '' : 's'}`;
  }
}
