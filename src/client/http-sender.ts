// What the HTTP transports share on the client: a JSON request that counts its
// traffic, and the POST send (short polling, long polling and Server-Sent
// Events all send with `POST /api/<name>/messages`).
import type { ChatError, Message, SendInput } from '../chat/message.js';
import { byteLength, SendRefused } from './base.js';
import type { SendReceipt, TrafficCounters } from './transport.js';

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

/** One JSON request; throws HttpError on a non-2xx answer. */
export async function requestJson<T>(
  traffic: TrafficCounters,
  url: string,
  init: { method?: string; body?: string; signal: AbortSignal },
): Promise<T> {
  traffic.requests++;
  if (init.body) traffic.bytesOut += byteLength(init.body);
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    signal: init.signal,
    cache: 'no-store',
    ...(init.body && { body: init.body, headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  traffic.bytesIn += byteLength(text);
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new HttpError(response.status, parseError(text), retryAfter > 0 ? retryAfter * 1000 : undefined);
  }
  return JSON.parse(text) as T;
}

/**
 * One attempt at `POST <messagesUrl>?client=<clientId>`. A 4xx other than
 * 429 is the server saying no (SendRefused); 5xx and network errors are worth a retry.
 */
export async function postMessage(
  traffic: TrafficCounters,
  messagesUrl: string,
  clientId: string,
  input: SendInput,
  timeoutMs: number,
): Promise<SendReceipt> {
  try {
    const init = { method: 'POST', body: JSON.stringify(input), signal: AbortSignal.timeout(timeoutMs) };
    const { message } = await requestJson<{ message: Message }>(traffic, `${messagesUrl}?client=${clientId}`, init);
    return { id: message.id };
  } catch (error) {
    if (error instanceof HttpError && error.error && error.status < 500 && error.status !== 429) throw new SendRefused(error.error);
    throw error;
  }
}

export function parseError(text: string): ChatError | undefined {
  try {
    return (JSON.parse(text) as { error?: ChatError }).error;
  } catch {
    return undefined;
  }
}
