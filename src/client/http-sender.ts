// What the HTTP transports share on the client: a JSON request that counts its
// traffic and shows on the wire timeline, and the POST send (short polling,
// long polling and Server-Sent Events all send with `POST /api/<name>/messages`).
import type { ChatError, Message, SendInput } from '../chat/message.js';
import { byteLength, SendRefused, type WireEnd, type WireFields } from './base.js';
import type { ClientTransportOptions, FetchFunction, SendReceipt, TrafficCounters } from './transport.js';

/** How a transport client makes its HTTP requests: through which fetch, counted where. */
export interface HttpChannel {
  readonly fetch: FetchFunction;
  readonly traffic: TrafficCounters;
}

/** `options.fetch`, or the global fetch called as a plain function (the browser's throws when called as a method of another object). */
export function fetchOf(options: ClientTransportOptions): FetchFunction {
  return options.fetch ?? ((url, init) => globalThis.fetch(url, init));
}

/** A non-2xx answer; `retryAfterMs` from a 429's or 503's Retry-After. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: ChatError | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(error ? `${status} ${error.code}: ${error.message}` : `HTTP ${status}`);
  }
}

/** Where a request's wire span goes: the transport's wireStart() and what the span is. */
export interface WireSpan {
  start: (fields: WireFields) => WireEnd;
  fields: WireFields;
}

/** One JSON request; throws HttpError on a non-2xx answer. */
export async function requestJson<T>(
  { fetch, traffic }: HttpChannel,
  url: string,
  init: { method?: string; body?: string; signal: AbortSignal; wire: WireSpan },
): Promise<T> {
  traffic.requests++;
  const bytesOut = init.body ? byteLength(init.body) : 0;
  traffic.bytesOut += bytesOut;
  const endWire = init.wire.start({ ...init.wire.fields, bytesOut });
  let status: number | string = 'failed';
  let bytesIn = 0;
  let answer: unknown;
  try {
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      signal: init.signal,
      cache: 'no-store',
      ...(init.body && { body: init.body, headers: { 'content-type': 'application/json' } }),
    });
    status = response.status;
    const text = await response.text();
    bytesIn = byteLength(text);
    traffic.bytesIn += bytesIn;
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new HttpError(response.status, parseError(text), retryAfter > 0 ? retryAfter * 1000 : undefined);
    }
    answer = JSON.parse(text);
    return answer as T;
  } finally {
    if (init.signal.aborted && typeof status !== 'number') status = 'aborted';
    endWire({ status, bytesIn, ...(init.wire.fields.detail === 'poll' && { empty: isEmptyPoll(answer) }) });
  }
}

/**
 * One attempt at `POST <messagesUrl>?client=<clientId>`. A 4xx other than
 * 429 is the server saying no (SendRefused); 5xx and network errors are worth a retry.
 */
export async function postMessage(
  channel: HttpChannel,
  wireStart: WireSpan['start'],
  messagesUrl: string,
  clientId: string,
  input: SendInput,
  timeoutMs: number,
): Promise<SendReceipt> {
  // Not AbortSignal.timeout(): its timer outlives the answer (a timer per send, alive for the whole timeout).
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  try {
    const wire: WireSpan = { start: wireStart, fields: { kind: 'request', label: 'POST', detail: 'send' } };
    const init = { method: 'POST', body: JSON.stringify(input), signal: timeout.signal, wire };
    const { message } = await requestJson<{ message: Message }>(channel, `${messagesUrl}?client=${clientId}`, init);
    return { id: message.id };
  } catch (error) {
    if (error instanceof HttpError && error.error && error.status < 500 && error.status !== 429) throw new SendRefused(error.error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A poll answer without messages (the page's timeline shows it hollow). */
function isEmptyPoll(answer: unknown): boolean {
  return (answer as { messages?: unknown[] } | undefined)?.messages?.length === 0;
}

export function parseError(text: string): ChatError | undefined {
  try {
    return (JSON.parse(text) as { error?: ChatError }).error;
  } catch {
    return undefined;
  }
}
