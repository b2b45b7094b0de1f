// What short and long polling share on the client: the poll loop (the POST
// send is http-sender.ts's). They differ only in the query they add and the pause between polls.
import type { Message, SendInput } from '../chat/message.js';
import { BaseClientTransport, sleep, type CatchupHeader, type WireFields } from './base.js';
import { fetchOf, HttpError, postMessage, requestJson, type HttpChannel } from './http-sender.js';
import type { ClientTransportOptions, SendReceipt } from './transport.js';

interface PollReply extends CatchupHeader {
  messages: Message[];
  /** The server cut the catch-up into batches: ask again at once from the last message. */
  more?: boolean;
}

export abstract class HttpPollingTransport extends BaseClientTransport {
  #abort: AbortController | undefined;
  readonly #http: HttpChannel;

  constructor(options: ClientTransportOptions) {
    super(options);
    this.#http = { fetch: fetchOf(options), traffic: this.traffic };
  }

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

  protected transmit(input: SendInput): Promise<SendReceipt> {
    return postMessage(this.#http, (fields) => this.wireStart(fields), this.messagesUrl, this.clientId, input, this.sendTimeoutMs);
  }

  async #pollLoop(generation: number, signal: AbortSignal): Promise<void> {
    let first = true;
    while (generation === this.generation) {
      const startedAt = Date.now();
      // `client` names us: the participant counts, and long polling's one held poll per client.
      const query = new URLSearchParams({ ...stringValues(this.resumeQuery()), ...this.pollParams(), client: this.clientId });
      let reply: PollReply;
      try {
        const fields: WireFields = { kind: 'request', label: 'GET', detail: 'poll', roundTrip: this.pollAnswersAtOnce() };
        const wire = { start: (entry: WireFields) => this.wireStart(entry), fields };
        reply = await requestJson<PollReply>(this.#http, `${this.messagesUrl}?${query}`, { signal, wire });
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
      first = false;
      this.setStatus('open');
      // A batch: the cursor stays at its last message, and the rest is asked for at once.
      if (reply.more) continue;
      this.cursor = Math.max(this.cursor ?? 0, reply.cursor);
      await this.pauseAfterPoll(startedAt, generation);
    }
  }
}

function stringValues(record: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, String(value)]));
}
