// The event-stream format read straight off the bytes, for the load
// generator's EventSource: lines are found in the bytes and only a field's
// value becomes a string, where a general parser decodes every read into a
// string and splits that again (together they were a tenth of the harness's
// work per SSE delivery). Lines end in LF or CRLF; a lone CR, which the
// format allows and neither server under test sends, is not a line end here.

/** What a blank line ends: an event to dispatch when it has data; its id (if any) moves the last event id even without. */
export interface SseEvent {
  event: string | undefined;
  id: string | undefined;
  data: string | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

export class SseParser {
  /** The start of a line cut by a read (copied: the reads' buffer is reused). */
  #partial: Buffer | undefined;
  #event: string | undefined;
  #id: string | undefined;
  #data: string | undefined;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onRetry: (ms: number) => void,
  ) {}

  /** Forget a half-read event (a new connection starts). */
  reset(): void {
    this.#partial = this.#event = this.#id = this.#data = undefined;
  }

  feed(bytes: Buffer): void {
    let start = 0;
    if (this.#partial) {
      bytes = Buffer.concat([this.#partial, bytes]);
      this.#partial = undefined;
    }
    for (let end = bytes.indexOf(LF); end !== -1; end = bytes.indexOf(LF, start)) {
      this.#line(bytes, start, end > start && bytes[end - 1] === CR ? end - 1 : end);
      start = end + 1;
    }
    if (start < bytes.length) this.#partial = Buffer.from(bytes.subarray(start));
  }

  #line(bytes: Buffer, start: number, end: number): void {
    if (start === end) return this.#dispatch();
    if (bytes[start] === COLON) return; // a comment (`: ping`)
    let colon = bytes.indexOf(COLON, start);
    if (colon === -1 || colon > end) colon = end;
    let valueStart = colon + 1;
    if (valueStart < end && bytes[valueStart] === SPACE) valueStart++;
    const value = valueStart < end ? bytes.toString('utf8', valueStart, end) : '';
    switch (bytes.toString('latin1', start, colon)) {
      case 'data':
        this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.onRetry(Number(value));
        break;
    }
  }

  /** A blank line ends the event so far. */
  #dispatch(): void {
    const event: SseEvent = { event: this.#event, id: this.#id, data: this.#data };
    this.#event = this.#id = this.#data = undefined;
    if (event.data !== undefined || event.id !== undefined) this.onEvent(event);
  }
}
