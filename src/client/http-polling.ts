// What short and long polling share on the client: the POST send and the
// poll loop. They differ only in the query they add and the pause between polls.
import type { ChatError, Message, SendInput } from '../chat/message.js';
import { BaseClientTransport, byteLength, randomId, SendRefused, sleep, type CatchupHeader, type WireFields } from './base.js';
import type { SendReceipt } from './transport.js';

interface PollReply extends CatchupHeader {
  messages: Message[];
}

/** A non-2xx answer; `retryAfterMs` from a 503's Retry-After. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: ChatError | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(error ? `${status} ${error.code}: ${error.message}` : `HTTP ${status}`);
  }
}

export abstract class HttpPollingTransport extends BaseClientTransport {
  /** Names this client to the server: its send rate limit, and its one held long poll. */
  readonly clientId = randomId();
  #abort: AbortController | undefined;

  protected get messagesUrl(): string {
    return `${this.baseUrl}/api/${this.name}/messages`;
  }

  /** Extra query parameters for a poll. */
  protected abstract pollParams(): Record<string, string>;
  /** The next poll is answered at once (so its duration is one round trip): joining live, without a cursor. */
  protected pollAnswersAtOnce(): boolean {
    return this.cursor === undefined;
  }
  /** Waits, if the transport wants to, before the next poll. */
  protected abstract pauseAfterPoll(startedAt: number, generation: number): Promise<void>;

  protected open(): void {
    this.#abort = new AbortController();
    void this.#pollLoop(this.generation, this.#abort.signal);
  }

  protected close(): void {
    this.#abort?.abort();
    this.#abort = undefined;
  }

  protected async transmit(input: SendInput): Promise<SendReceipt> {
    const body = JSON.stringify(input);
    const signal = AbortSignal.timeout(this.sendTimeoutMs);
    try {
      const url = `${this.messagesUrl}?client=${this.clientId}`;
      const wire: WireFields = { kind: 'request', label: 'POST', detail: 'send' };
      const { message } = await this.#request<{ message: Message }>(url, { method: 'POST', body, signal, wire });
      return { id: message.id };
    } catch (error) {
      // A 4xx other than 429 is the server saying no; 5xx and network errors are worth a retry.
      if (error instanceof HttpError && error.error && error.status < 500 && error.status !== 429) {
        throw new SendRefused(error.error);
      }
      throw error;
    }
  }

  async #pollLoop(generation: number, signal: AbortSignal): Promise<void> {
    let first = true;
    while (generation === this.generation) {
      const startedAt = Date.now();
      const query = new URLSearchParams({ ...stringValues(this.resumeQuery()), ...this.pollParams() });
      let reply: PollReply;
      try {
        const wire: WireFields = { kind: 'request', label: 'GET', detail: 'poll', roundTrip: this.pollAnswersAtOnce() };
        reply = await this.#request<PollReply>(`${this.messagesUrl}?${query}`, { signal, wire });
      } catch (error) {
        if (generation !== this.generation) return;
        const retryAfterMs = error instanceof HttpError ? error.retryAfterMs : undefined;
        if (retryAfterMs !== undefined) await sleep(retryAfterMs);
        this.connectionLost(error instanceof Error ? error.message : String(error));
        return;
      }
      if (generation !== this.generation) return;
      if (reply.messages.length === 0) this.traffic.emptyPolls++;
      this.beginCatchup(reply, first);
      for (const message of reply.messages) this.deliver(message);
      this.cursor = Math.max(this.cursor ?? 0, reply.cursor);
      first = false;
      this.setStatus('open');
      await this.pauseAfterPoll(startedAt, generation);
    }
  }

  async #request<T>(url: string, init: { method?: string; body?: string; signal: AbortSignal; wire: WireFields }): Promise<T> {
    this.traffic.requests++;
    const bytesOut = init.body ? byteLength(init.body) : 0;
    this.traffic.bytesOut += bytesOut;
    const endWire = this.wireStart({ ...init.wire, bytesOut });
    let status: number | string = 'failed';
    let text = '';
    try {
      const response = await fetch(url, {
        method: init.method ?? 'GET',
        signal: init.signal,
        cache: 'no-store',
        ...(init.body && { body: init.body, headers: { 'content-type': 'application/json' } }),
      });
      status = response.status;
      text = await response.text();
      this.traffic.bytesIn += byteLength(text);
      if (!response.ok) {
        const retryAfter = Number(response.headers.get('retry-after'));
        throw new HttpError(response.status, parseError(text), retryAfter > 0 ? retryAfter * 1000 : undefined);
      }
      return JSON.parse(text) as T;
    } finally {
      if (init.signal.aborted && typeof status !== 'number') status = 'aborted';
      endWire({ status, bytesIn: byteLength(text), ...(init.wire.detail === 'poll' && { empty: isEmptyPoll(text) }) });
    }
  }
}

function stringValues(record: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, String(value)]));
}

/** A poll answer without messages (cheap: the page's timeline shows it hollow). */
function isEmptyPoll(text: string): boolean {
  return text.includes('"messages":[]');
}

function parseError(text: string): ChatError | undefined {
  try {
    return (JSON.parse(text) as { error?: ChatError }).error;
  } catch {
    return undefined;
  }
}
