// Every delivery to every receiver, on one clock: latency = arrival - send
// (performance.now()), keyed by clientMsgId; lost, duplicated and reordered
// counted per receiver.
import * as hdr from 'hdr-histogram-js';
import type { Message } from '../src/chat/message.js';
import { randomId } from '../src/client/base.js';

/** One receiver's tally. `seen` is a bitmap over the ledger's message indexes. */
export class ReceiverTally {
  seen = new Uint8Array(1024);
  delivered = 0;
  duplicated = 0;
  reordered = 0;
  lastId = 0;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LedgerCounts {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Messages from outside this ledger (a previous phase), ignored. */
  strays: number;
}

const ID_INDEX_DIGITS = 8;

/** The same text on every message, on every transport and baseline. */
export const BENCH_TEXT = 'benchmark message: sixty-four characters of ordinary chat text..';

export class Ledger {
  /**
   * Random per ledger; each clientMsgId is it and the message's index in hex, as long as
   * randomId()'s (same message size), without a getRandomValues() per send.
   */
  readonly #idPrefix = randomId().slice(ID_INDEX_DIGITS);
  readonly #indexOf = new Map<string, number>();
  readonly #sentAt: number[] = [];
  #deliveries = new Uint32Array(1024);
  readonly #receivers: ReceiverTally[] = [];
  /** Latency in microseconds. */
  readonly #histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  delivered = 0;
  strays = 0;
  /** Messages every receiver has had. */
  completed = 0;
  #onComplete: (() => void) | undefined;

  get sent(): number {
    return this.#sentAt.length;
  }

  get receiverCount(): number {
    return this.#receivers.length;
  }

  addReceiver(): ReceiverTally {
    const tally = new ReceiverTally();
    this.#receivers.push(tally);
    return tally;
  }

  /** A new send input, its send time stamped now. */
  nextInput(): { clientMsgId: string; author: string; text: string } {
    const index = this.#sentAt.length;
    const clientMsgId = this.#idPrefix + index.toString(16).padStart(ID_INDEX_DIGITS, '0');
    this.#indexOf.set(clientMsgId, index);
    this.#sentAt.push(performance.now());
    if (index >= this.#deliveries.length) this.#deliveries = grow(this.#deliveries, index);
    return { clientMsgId, author: 'bench', text: BENCH_TEXT };
  }

  record(tally: ReceiverTally, message: Message): void {
    const now = performance.now();
    const index = this.#indexOf.get(message.clientMsgId);
    if (index === undefined) {
      this.strays++;
      return;
    }
    if (index >= tally.seen.length) tally.seen = grow(tally.seen, index);
    if (tally.seen[index]) {
      tally.duplicated++;
      return;
    }
    tally.seen[index] = 1;
    if (message.id <= tally.lastId) tally.reordered++;
    tally.lastId = Math.max(tally.lastId, message.id);
    tally.delivered++;
    this.delivered++;
    this.#histogram.recordValue(Math.max(1, Math.round((now - this.#sentAt[index]!) * 1000)));
    if (++this.#deliveries[index]! === this.#receivers.length) {
      this.completed++;
      this.#onComplete?.();
    }
  }

  /** Resolves at the next message that every receiver has had. */
  nextCompletion(): Promise<void> {
    return new Promise((resolve) => {
      this.#onComplete = () => {
        this.#onComplete = undefined;
        resolve();
      };
    });
  }

  get expected(): number {
    return this.sent * this.#receivers.length;
  }

  counts(): LedgerCounts {
    let duplicated = 0;
    let reordered = 0;
    for (const tally of this.#receivers) {
      duplicated += tally.duplicated;
      reordered += tally.reordered;
    }
    return {
      expected: this.expected,
      delivered: this.delivered,
      lost: this.expected - this.delivered,
      duplicated,
      reordered,
      strays: this.strays,
    };
  }

  latencyMs(): LatencySummary {
    const ms = (percentile: number): number => round(this.#histogram.getValueAtPercentile(percentile) / 1000);
    return { p50: ms(50), p95: ms(95), p99: ms(99), max: round(this.#histogram.maxValue / 1000) };
  }
}

function grow<T extends Uint8Array | Uint32Array>(array: T, index: number): T {
  let length = array.length;
  while (length <= index) length *= 2;
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
