// The interface every client transport implements: the page's panes and the
// benchmark drive all four through it and nothing else.
import type { ChatError, Message, SendInput } from '../chat/message.js';
import type { SocketIoMode, TransportName } from '../chat/transports.js';

export type { SocketIoMode };

export type TransportStatus = 'connecting' | 'open' | 'reconnecting' | 'off';

export interface TrafficCounters {
  /** HTTP requests made (polls, sends, Socket.IO polling requests). */
  requests: number;
  /** Polls that came back with no message. */
  emptyPolls: number;
  messagesIn: number;
  messagesOut: number;
  /** Payload bytes the client code saw (bodies or frames, without HTTP headers). */
  bytesIn: number;
  bytesOut: number;
}

export interface SyncInfo {
  epoch: string;
  cursor: number;
  /** The server could not resume from our cursor (restart or too old) and sent its whole history. */
  reset: boolean;
  /** Messages received to catch up (0 when joining live). */
  caughtUp: number;
}

/**
 * One thing seen on the wire by a client transport, for the page's timeline.
 * A request is emitted twice with the same id: when it leaves (no `endAt`)
 * and when its answer is in (with `endAt`). Times are `performance.now()` ms.
 */
export interface WireEntry {
  id: number;
  /** request: an HTTP request (a span); frame: one message on an open socket; mark: a moment (101, upgrade, close). */
  kind: 'request' | 'frame' | 'mark';
  at: number;
  /** A request: when its answer came (or it failed); undefined while in flight. */
  endAt?: number;
  /** What it is, short: 'GET', 'POST', '101', 'send', 'ack', 'message', 'upgrade'. */
  label: string;
  /** What it is for, e.g. 'poll', 'send', 'handshake', 'probe'. */
  detail?: string;
  /** A frame: client to server (up) or server to client (down). */
  direction?: 'up' | 'down';
  /** HTTP status, or a reason when it failed. */
  status?: number | string;
  bytesOut?: number;
  bytesIn?: number;
  /** A poll answered with no message. */
  empty?: boolean;
  /** Its duration is one round trip to the server on this transport (the page's expected latency uses it). */
  roundTrip?: boolean;
}

export interface ClientTransportEvents {
  /** What goes over the wire (only built while someone listens). */
  wire: [entry: WireEntry];
  /** Every message once, in id order. */
  message: [message: Message];
  status: [status: TransportStatus, detail: string];
  /** The server's epoch changed (it restarted): ids start over, drop what is shown. Messages follow. */
  reset: [epoch: string];
  /** After each (re)connect, once the backlog has been delivered. */
  sync: [info: SyncInfo];
  error: [error: ChatError];
  /** A send failed for now and will be tried again at `retryAt` (same clientMsgId, never doubled). */
  sendRetry: [retry: SendRetry];
}

/** Why a send waits, and until when (`performance.now()` ms): the page says so instead of retrying silently. */
export interface SendRetry {
  clientMsgId: string;
  /** `rate_limited` (the server's send limit), `unavailable` (its store), or `network` (not connected, timeout, 5xx). */
  reason: 'rate_limited' | 'unavailable' | 'network';
  retryAt: number;
}

/** What the HTTP transports need of an answer: the part of `Response` they read. */
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface FetchInit {
  method: string;
  signal: AbortSignal;
  cache?: 'no-store';
  body?: string;
  headers?: Record<string, string>;
}

/** A fetch-compatible function: the browser's `fetch` (the default), or a cheaper one in the benchmark. */
export type FetchFunction = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** The EventSource constructor: the browser's, or the `eventsource` package in Node. */
export type EventSourceConstructor = new (url: string) => EventSource;

/** The WebSocket constructor: the browser's, or `ws` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocket;

export interface ClientTransportOptions {
  /** The server, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** Start after this id (0 = everything retained); undefined joins live. */
  since?: number;
  epoch?: string;
  /** Needed in Node 20, which has no global WebSocket. */
  WebSocket?: WebSocketConstructor;
  /** The HTTP transports' requests go through this; default `globalThis.fetch`. */
  fetch?: FetchFunction;
  /** Needed in Node 20, which has no global EventSource. */
  EventSource?: EventSourceConstructor;
  /** Short polling: time between poll starts. */
  intervalMs?: number;
  /** Long polling: how long the server may hold a poll. */
  waitMs?: number;
  /** Socket.IO: polling then upgrade (auto), WebSocket only, or polling only. */
  socketioMode?: SocketIoMode;
  /** A send not acknowledged within this is retried (same clientMsgId, so never doubled). */
  sendTimeoutMs?: number;
  /** This client's id on the wire (1-64 of `A-Z a-z 0-9 . _ : -`); default a random one. Keep it to stay the same participant. */
  clientId?: string;
}

export interface SendReceipt {
  id: number;
}

export interface ClientTransport {
  readonly name: TransportName;
  /** Names this client to the server on every request and handshake: its send rate limit, the participant counts. */
  readonly clientId: string;
  readonly status: TransportStatus;
  /** Human-readable detail of the connection, e.g. Socket.IO's "polling -> websocket". */
  readonly detail: string;
  /** The id of the last message delivered. */
  readonly cursor: number | undefined;
  readonly epoch: string | undefined;
  /** The server node serving this client now (from its welcome or last poll reply). */
  readonly nodeId: string | undefined;
  readonly traffic: Readonly<TrafficCounters>;
  /** The page's knobs (the descriptor list says which a transport has): the next request uses a changed value. */
  intervalMs?: number;
  waitMs?: number;
  /** Fixed per connection: changing it takes a new client. */
  readonly socketioMode?: SocketIoMode;
  connect(): void;
  disconnect(): void;
  /** Resolves once the server has the message; retried across reconnects; rejects on a server-side refusal. */
  send(input: SendInput): Promise<SendReceipt>;
  on<K extends keyof ClientTransportEvents>(event: K, listener: (...args: ClientTransportEvents[K]) => void): () => void;
}
