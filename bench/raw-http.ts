// HTTP/1.1 on plain sockets, for the load generator: keep-alive connections
// that carry one request at a time, and answers read as they arrive (the
// status and headers once, then the body's bytes, with chunked framing taken
// off). Every socket reads into one reused buffer (net's `onread`) and each
// byte is touched once, with no stream machinery and no general HTTP parser
// between the socket and the client code. undici's request() cost the harness
// about as much per delivery as the server spends writing it, so the benchmark
// measured itself; see docs/benchmarks.md, "The load generator".
import { connect, type Socket } from 'node:net';

/** What reads one answer. */
export interface AnswerHandler {
  /** The status and headers (names in lower case), once. Return false to stop reading: the connection is destroyed. */
  head(status: number, headers: ReadonlyMap<string, string>): boolean;
  /** The next piece of the body. Valid only during the call: the buffer is reused for the next read. */
  body(bytes: Buffer): void;
  /** The answer is over: `complete` when all of it came, false when the connection failed or ended first. */
  end(complete: boolean): void;
}

/** Every socket reads into this: each read is handled (and copied out) before the next. */
const READ_BUFFER = Buffer.alloc(64 * 1024);
const LF = 0x0a;
const HEAD_END = '\r\n\r\n';

/** The request line and headers of a request to `url`. */
export function requestHead(method: string, url: URL, headers: Record<string, string>): string {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  return `${head}\r\n`;
}

/** One client connection: one request at a time, its answer handed to the request's handler as it arrives. */
export class RawConnection {
  readonly #socket: Socket;
  #answer: AnswerReader | undefined;
  #closed = false;
  /** Until the socket connects: what to write then. */
  #pending: string | undefined;
  #connected = false;

  constructor(
    url: URL,
    /** The connection closed (either side, or destroy()). */
    private readonly onClose: () => void = () => {},
  ) {
    this.#socket = connect({
      host: url.hostname,
      port: Number(url.port || 80),
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (read) => this.#read(read) },
    });
    this.#socket.on('connect', () => {
      this.#connected = true;
      if (this.#pending !== undefined) this.#socket.write(this.#pending);
      this.#pending = undefined;
    });
    this.#socket.on('close', () => this.#lost());
    this.#socket.on('error', () => this.#lost());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the last answer left the connection ready for another request. */
  get reusable(): boolean {
    return !this.#closed && this.#answer?.reusable === true;
  }

  /** Sends `head` (from requestHead()) and `body`; the answer goes to `handler`. */
  request(head: string, body: string | undefined, handler: AnswerHandler): void {
    this.#answer = new AnswerReader(handler);
    const bytes = body === undefined ? head : head + body;
    if (this.#connected) this.#socket.write(bytes);
    else this.#pending = bytes;
  }

  destroy(): void {
    this.#socket.destroy();
    this.#lost();
  }

  #read(read: number): boolean {
    const answer = this.#answer;
    if (!answer || this.#closed) return true; // bytes nobody asked for (none in HTTP/1.1 without pipelining)
    if (!answer.read(READ_BUFFER.subarray(0, read))) this.destroy();
    return true;
  }

  #lost(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#answer?.lost();
    this.#socket.destroy();
    this.onClose();
  }
}

/** Reads one answer: the head, then the body by its length, its chunks, or up to the connection's end. */
class AnswerReader {
  /** The head as it comes in; undefined once read. */
  #head: string | undefined = '';
  #body: 'length' | 'chunked' | 'to-close' = 'to-close';
  /** Body bytes still to come (length framing). */
  #left = 0;
  #chunks: ChunkedBody | undefined;
  #done = false;
  /** The server keeps the connection for the next request. */
  #keepAlive = true;

  constructor(private readonly handler: AnswerHandler) {}

  get reusable(): boolean {
    return this.#done && this.#keepAlive && this.#body === 'length';
  }

  /** Takes the next bytes; false: stop reading this connection. */
  read(bytes: Buffer): boolean {
    if (this.#done) return true;
    if (this.#head !== undefined) {
      this.#head += bytes.toString('latin1');
      const at = this.#head.indexOf(HEAD_END);
      if (at === -1) return true;
      const bodyStart = bytes.length - (this.#head.length - at - HEAD_END.length);
      if (!this.#readHead(this.#head.slice(0, at))) {
        this.#done = true;
        return false;
      }
      this.#head = undefined;
      bytes = bytes.subarray(bodyStart);
      if (this.#body === 'length' && this.#left === 0) return this.#finish();
    }
    if (this.#body === 'chunked') this.#chunks?.read(bytes);
    else if (this.#body === 'to-close') this.handler.body(bytes);
    else {
      const piece = bytes.length > this.#left ? bytes.subarray(0, this.#left) : bytes;
      this.handler.body(piece);
      this.#left -= piece.length;
      if (this.#left === 0) return this.#finish();
    }
    return true;
  }

  /** The connection ended: the end of a to-close body, else an answer cut short. */
  lost(): void {
    if (this.#done) return;
    this.#done = true;
    this.handler.end(this.#head === undefined && this.#body === 'to-close');
  }

  #readHead(text: string): boolean {
    const [statusLine = '', ...fields] = text.split('\r\n');
    const headers = new Map<string, string>();
    for (const field of fields) {
      const colon = field.indexOf(':');
      if (colon > 0) headers.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim());
    }
    this.#keepAlive = headers.get('connection')?.toLowerCase() !== 'close';
    const length = headers.get('content-length');
    if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
      this.#body = 'chunked';
      this.#chunks = new ChunkedBody(
        (piece) => this.handler.body(piece),
        () => this.#finish(),
      );
    } else if (length !== undefined) {
      this.#body = 'length';
      this.#left = Number(length);
    }
    return this.handler.head(Number(statusLine.split(' ')[1]), headers);
  }

  #finish(): true {
    this.#done = true;
    this.handler.end(true);
    return true;
  }
}

/** Takes HTTP/1.1's chunked framing (`<hex size>\r\n<data>\r\n`, a 0 size ends it) off a body. */
class ChunkedBody {
  /** Bytes of the current chunk's data still to come. */
  #dataLeft = 0;
  /** Bytes of the CRLF after a chunk's data still to skip. */
  #crlfLeft = 0;
  /** A size line cut by a read. */
  #sizeLine = '';
  #over = false;

  constructor(
    private readonly data: (bytes: Buffer) => void,
    /** The last chunk came (trailers, if any, are not read: the connection is not reused). */
    private readonly last: () => void,
  ) {}

  read(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length && !this.#over) {
      if (this.#dataLeft > 0) {
        const end = Math.min(bytes.length, at + this.#dataLeft);
        this.data(bytes.subarray(at, end));
        this.#dataLeft -= end - at;
        if (this.#dataLeft === 0) this.#crlfLeft = 2;
        at = end;
      } else if (this.#crlfLeft > 0) {
        const skipped = Math.min(this.#crlfLeft, bytes.length - at);
        this.#crlfLeft -= skipped;
        at += skipped;
      } else {
        const lineEnd = bytes.indexOf(LF, at);
        if (lineEnd === -1) {
          this.#sizeLine += bytes.toString('latin1', at);
          return;
        }
        const size = parseInt(this.#sizeLine + bytes.toString('latin1', at, lineEnd), 16); // a `;extension` or the CR stops parseInt
        this.#sizeLine = '';
        at = lineEnd + 1;
        if (size > 0) this.#dataLeft = size;
        else {
          this.#over = true;
          this.last();
        }
      }
    }
  }
}
