// What every client transport shares: the cursor and exactly-once delivery,
// catch-up bookkeeping, status, reconnect backoff and send retries. A
// transport subclass only moves bytes (open, close, transmit).
import { RATE_LIMITED, UNAVAILABLE, type ChatError, type Message, type SendInput } from '../chat/message.js';
import { type TransportName } from '../chat/transports.js';
import { Emitter } from './emitter.js';
import type {
  ClientTransport,
  ClientTransportEvents,
  ClientTransportOptions,
  SendReceipt,
  SendRetry,
  TrafficCounters,
  TransportStatus,
  WireEntry,
} from './transport.js';

/** A refusal by the server: retrying the same input cannot help. */
export class SendRefused extends Error {
  constructor(readonly error: ChatError) {
    super(`${error.code}: ${error.message}`);
  }
}

/** What a catch-up from the server says: poll replies and welcome frames alike. */
export interface CatchupHeader {
  epoch: string;
  cursor: number;
  reset?: boolean;
  /** The server node that answered (several can share one room through Redis). */
  nodeId?: string;
}

const RETRYABLE = new Set([RATE_LIMITED, UNAVAILABLE]);

/** What a failed attempt says of itself: a refusal's code, an HTTP 429/503, or anything else (network). */
function retryReason(error: unknown): SendRetry['reason'] {
  const code = error instanceof SendRefused ? error.error.code : (error as { error?: { code?: string } } | undefined)?.error?.code;
  const status = (error as { status?: unknown } | undefined)?.status;
  if (code === RATE_LIMITED || status === 429) return 'rate_limited';
  if (code === UNAVAILABLE || status === 503) return 'unavailable';
  return 'network';
}

/** A Retry-After the server sent with the failure (HTTP 429/503), in ms; 0 without one. */
function retryAfterOf(error: unknown): number {
  const retryAfterMs = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter: 0.5x-1x of min * 2^attempt, capped. */
export function backoffMs(attempt: number, minMs = 100, maxMs = 5000): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * A random id for clientMsgId and client ids. Not crypto.randomUUID:
 * phones reach the demo over plain http on the LAN, where it is missing.
 */
export function randomId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Node's Buffer, where there is one (tests, the benchmark's load generator); never in the page. */
const nodeBuffer = (globalThis as { Buffer?: { byteLength(text: string): number } }).Buffer;

/**
 * UTF-8 bytes of `text`, counted without encoding it: this runs for every
 * frame received, and an encoder's array per frame was a measurable share of
 * the benchmark's load generator (docs/benchmarks.md, "The load generator").
 * Node's Buffer.byteLength is ~10x faster still than the loop.
 */
export const byteLength: (text: string) => number = nodeBuffer ? (text) => nodeBuffer.byteLength(text) : utf8ByteLength;

/** The page's byteLength: a loop over the UTF-16 units. */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code <= 0xdbff && code >= 0xd800 && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: two UTF-16 units, four bytes
      index++;
    } else bytes += 2; // three bytes (a lone surrogate too: it is encoded as U+FFFD)
  }
  return bytes;
}

/** Wire entry ids, unique across every transport instance of this page or process. */
let nextWireId = 1;

/** What a caller describes of a wire entry (the id and times are added). */
export type WireFields = Omit<WireEntry, 'id' | 'at' | 'endAt'>;

/** Ends a request span with what its answer said. */
export type WireEnd = (fields?: Partial<WireFields>) => void;

const NO_END: WireEnd = () => {};

export abstract class BaseClientTransport extends Emitter<ClientTransportEvents> implements ClientTransport {
  abstract readonly name: TransportName;
  readonly clientId: string;
  status: TransportStatus = 'off';
  detail = '';
  cursor: number | undefined;
  epoch: string | undefined;
  /** The node of the last welcome or poll reply. */
  nodeId: string | undefined;
  readonly traffic: TrafficCounters = { requests: 0, emptyPolls: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  protected readonly baseUrl: string;
  protected readonly sendTimeoutMs: number;
  /** Bumped on every connect/disconnect so callbacks of an older connection can tell they are stale. */
  protected generation = 0;
  #sync: { target: number; reset: boolean; caughtUp: number } | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectAttempt = 0;

  constructor(protected readonly options: ClientTransportOptions) {
    super();
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.cursor = options.since;
    this.epoch = options.epoch;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 5000;
    this.clientId = options.clientId ?? randomId();
  }

  get active(): boolean {
    return this.status !== 'off';
  }

  connect(): void {
    if (this.active) return;
    this.generation++;
    this.setStatus('connecting');
    this.open();
  }

  disconnect(): void {
    if (!this.active) return;
    this.generation++;
    clearTimeout(this.#reconnectTimer);
    this.#sync = undefined;
    this.close();
    this.setStatus('off');
  }

  async send(input: SendInput): Promise<SendReceipt> {
    for (let attempt = 0; ; attempt++) {
      if (!this.active) throw new SendRefused({ code: 'transport_off', message: `${this.name} is switched off` });
      try {
        const receipt = await this.transmit(input);
        this.traffic.messagesOut++;
        return receipt;
      } catch (error) {
        // Rate limited, or the room's store unreachable: the same input will pass after a pause,
        // so it is retried like a network error (same clientMsgId: never doubled).
        if (error instanceof SendRefused && !RETRYABLE.has(error.error.code)) throw error;
        // Said, not silent: the page shows why a send waits and until when.
        const waitMs = Math.max(backoffMs(attempt), retryAfterOf(error));
        this.emit('sendRetry', { clientMsgId: input.clientMsgId, reason: retryReason(error), retryAt: performance.now() + waitMs });
        await sleep(waitMs);
      }
    }
  }

  /** Starts a connection (or the poll loop) for the current generation. */
  protected abstract open(): void;
  /** Stops it; no event of the old connection may be acted on after this. */
  protected abstract close(): void;
  /** One attempt at a send; throws SendRefused for a refusal, anything else to retry. */
  protected abstract transmit(input: SendInput): Promise<SendReceipt>;

  protected setStatus(status: TransportStatus, detail = this.detail): void {
    if (status === 'open') this.#reconnectAttempt = 0;
    if (status === this.status && detail === this.detail) return;
    this.status = status;
    this.detail = detail;
    this.emit('status', status, detail);
  }

  /** The connection broke: say so and open again after a backoff. */
  protected connectionLost(reason: string): void {
    if (!this.active) return;
    this.generation++;
    this.close();
    this.#sync = undefined;
    this.setStatus('reconnecting', reason);
    const generation = this.generation;
    this.#reconnectTimer = setTimeout(
      () => {
        if (generation === this.generation) this.open();
      },
      backoffMs(this.#reconnectAttempt++, 250, 5000),
    );
  }

  /** The cursor to resume from, as the server's query or handshake expects it. */
  protected resumeQuery(): { since?: number; epoch?: string } {
    return {
      ...(this.cursor !== undefined && { since: this.cursor }),
      ...(this.epoch !== undefined && { epoch: this.epoch }),
    };
  }

  /** A catch-up starts (welcome frame or poll reply): its messages, if any, follow through deliver(). */
  protected beginCatchup(header: CatchupHeader, syncAfter: boolean): void {
    this.nodeId = header.nodeId;
    if (header.reset && header.epoch !== this.epoch) {
      // A new server (or one we never knew): its ids start over, so does our view.
      this.cursor = 0;
      this.epoch = header.epoch;
      this.emit('reset', header.epoch);
    } else if (this.cursor === undefined) {
      this.cursor = header.cursor; // joining live
    }
    // (A reset in the same epoch means our cursor fell out of the history:
    // what we already have is skipped by deliver(), the gap cannot be helped.)
    this.epoch = header.epoch;
    if (syncAfter) {
      this.#sync = { target: header.cursor, reset: header.reset === true, caughtUp: 0 };
      this.#maybeSynced();
    }
  }

  /** Hands a message on unless it is one we already have. */
  protected deliver(message: Message): void {
    if (this.cursor !== undefined && message.id <= this.cursor) return;
    this.cursor = message.id;
    this.traffic.messagesIn++;
    if (this.#sync) this.#sync.caughtUp++;
    this.emit('message', message);
    this.#maybeSynced();
  }

  #maybeSynced(): void {
    const sync = this.#sync;
    if (!sync || (this.cursor ?? 0) < sync.target) return;
    this.#sync = undefined;
    this.emit('sync', { epoch: this.epoch!, cursor: this.cursor!, reset: sync.reset, caughtUp: sync.caughtUp });
  }

  /** An instant on the wire (a frame or a mark); nothing is built while nobody listens. */
  protected wire(fields: WireFields): void {
    if (this.listening('wire')) this.emit('wire', { id: nextWireId++, at: performance.now(), ...fields });
  }

  /** A request leaves; call the returned function when its answer is in. */
  protected wireStart(fields: WireFields): WireEnd {
    if (!this.listening('wire')) return NO_END;
    const started: WireEntry = { id: nextWireId++, at: performance.now(), ...fields };
    this.emit('wire', started);
    let ended = false;
    return (end) => {
      if (ended) return;
      ended = true;
      this.emit('wire', { ...started, ...end, endAt: performance.now() });
    };
  }

  protected reportError(error: ChatError): void {
    this.emit('error', error);
  }
}
