// Server-side wire accounting per transport, kept cheap: counters bumped by
// hooks, and one sample a second that turns them into rates. GET /api/stats
// returns the last sample, so asking often costs nothing extra.
import type { Duplex } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { TRANSPORT_NAMES, type TransportName } from '../chat/transports.js';
import { MemoryPresence, type Presence } from './presence.js';

export const SAMPLE_MS = 1000;

interface Counters {
  /** HTTP requests (polls, sends, Socket.IO polling requests). */
  requests: number;
  /** Poll replies (GET of the HTTP transports) and the empty ones among them. */
  polls: number;
  emptyPolls: number;
  /** Messages sent through this transport. */
  messages: number;
  /** Bytes written to the transport's sockets: headers, framing and payload. */
  wireBytesOut: number;
  /** Of those, response bodies / WebSocket frame payloads we could measure. */
  payloadBytesOut: number;
  /** Bytes read from the transport's sockets: request lines, headers, bodies, frames. */
  wireBytesIn: number;
}
type CounterName = keyof Counters;

export interface TransportStats {
  /** Open WebSocket / Socket.IO connections; held polls for long polling. */
  connections: number;
  heldPolls: number;
  /** Distinct client ids seen on this transport within the presence window (see presence.ts). */
  participants: number;
  requestsPerSec: number;
  /** Share of poll replies with no message, or null without polls. */
  emptyPollShare: number | null;
  messagesPerSec: number;
  wireBytesOutPerSec: number;
  payloadBytesOutPerSec: number;
  wireBytesInPerSec: number;
  totals: Counters;
}

export interface StatsSample {
  at: number;
  intervalMs: number;
  /** Server process CPU time / wall time over the interval (1 = one core busy). */
  cpuShare: number;
  transports: Record<TransportName, TransportStats>;
}

const Count = Type.Integer({ minimum: 0 });
const PerTransport = <T extends Parameters<typeof Type.Object>[0]>(fields: T) =>
  Type.Object(Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, Type.Object(fields)])));

/** GET /api/stats: a sample, as documented in docs/protocol.md. */
export const StatsSampleSchema = Type.Object({
  at: Type.Number(),
  intervalMs: Type.Number(),
  cpuShare: Type.Number(),
  transports: PerTransport({
    connections: Count,
    heldPolls: Count,
    participants: Count,
    requestsPerSec: Count,
    emptyPollShare: Type.Union([Type.Number(), Type.Null()]),
    messagesPerSec: Count,
    wireBytesOutPerSec: Count,
    payloadBytesOutPerSec: Count,
    wireBytesInPerSec: Count,
    totals: Type.Object({
      requests: Count,
      polls: Count,
      emptyPolls: Count,
      messages: Count,
      wireBytesOut: Count,
      payloadBytesOut: Count,
      wireBytesIn: Count,
    }),
  }),
});

export interface Gauges {
  /** Absent: the transport holds no connection (short polling). */
  connections?(): number;
  heldPolls?(): number;
  /** The client ids of the connections (or held polls) open now: still present, however long since they last spoke. */
  clientIds?(): Iterable<string>;
}

const zeroCounters = (): Counters => ({
  requests: 0,
  polls: 0,
  emptyPolls: 0,
  messages: 0,
  wireBytesOut: 0,
  payloadBytesOut: 0,
  wireBytesIn: 0,
});

type CountedSocket = Duplex & { bytesWritten?: number; bytesRead?: number };

export class WireStats {
  #counters = perTransport(zeroCounters);
  #previous = perTransport(zeroCounters);
  #gauges = new Map<TransportName, Gauges>();
  /** Dedicated sockets (WebSocket, Socket.IO upgrades): bytes written and read so far, taken at each sample. */
  #sockets = new Map<CountedSocket, { name: TransportName; written: number; read: number }>();
  #cpu = process.cpuUsage();
  #sampledAt = performance.now();
  #timer: NodeJS.Timeout;
  last: StatsSample;

  constructor(readonly presence: Presence = new MemoryPresence()) {
    this.last = this.#sample();
    this.#timer = setInterval(() => (this.last = this.#sample()), SAMPLE_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  setGauges(name: TransportName, gauges: Gauges): void {
    this.#gauges.set(name, gauges);
  }

  count(name: TransportName, counter: CounterName, amount = 1): void {
    this.#counters[name][counter] += amount;
  }

  /** A request or a new connection from the client `clientId` on `name`: it is here. */
  seen(name: TransportName, clientId: string): void {
    this.presence.seen(name, clientId, Date.now());
  }

  watches(socket: Duplex): boolean {
    return this.#sockets.has(socket);
  }

  /**
   * Counts every byte later written to a socket that belongs to one transport,
   * and every byte read from it: with `readSoFar`, the upgrade request too
   * (false for an SSE stream, whose request the HTTP hooks count).
   */
  watchSocket(name: TransportName, socket: CountedSocket, { readSoFar = true } = {}): void {
    this.#sockets.set(socket, { name, written: socket.bytesWritten ?? 0, read: readSoFar ? 0 : (socket.bytesRead ?? 0) });
    socket.once('close', () => {
      this.#readSocket(socket);
      this.#sockets.delete(socket);
    });
  }

  #readSocket(socket: CountedSocket): void {
    const watched = this.#sockets.get(socket);
    if (!watched) return;
    const written = socket.bytesWritten ?? watched.written;
    const read = socket.bytesRead ?? watched.read;
    this.count(watched.name, 'wireBytesOut', written - watched.written);
    this.count(watched.name, 'wireBytesIn', read - watched.read);
    watched.written = written;
    watched.read = read;
  }

  #sample(): StatsSample {
    for (const socket of this.#sockets.keys()) this.#readSocket(socket);
    const now = performance.now();
    const intervalMs = Math.max(1, now - this.#sampledAt);
    const cpu = process.cpuUsage(this.#cpu);
    this.#cpu = process.cpuUsage();
    this.#sampledAt = now;
    const perSec = (delta: number): number => Math.round((delta * 1000) / intervalMs);
    const wallNow = Date.now();
    for (const [name, gauges] of this.#gauges)
      for (const clientId of gauges.clientIds?.() ?? []) this.presence.seen(name, clientId, wallNow);
    const participants = this.presence.counts(wallNow);

    const transports = perTransport((name): TransportStats => {
      const totals = { ...this.#counters[name] };
      const before = this.#previous[name];
      const delta = (counter: CounterName): number => totals[counter] - before[counter];
      const gauges = this.#gauges.get(name);
      const connections = gauges?.connections?.() ?? 0;
      const polls = delta('polls');
      return {
        connections,
        heldPolls: gauges?.heldPolls?.() ?? 0,
        participants: participants[name],
        requestsPerSec: perSec(delta('requests')),
        emptyPollShare: polls > 0 ? delta('emptyPolls') / polls : null,
        messagesPerSec: perSec(delta('messages')),
        wireBytesOutPerSec: perSec(delta('wireBytesOut')),
        payloadBytesOutPerSec: perSec(delta('payloadBytesOut')),
        wireBytesInPerSec: perSec(delta('wireBytesIn')),
        totals,
      };
    });
    this.#previous = perTransport((name) => ({ ...this.#counters[name] }));
    return { at: wallNow, intervalMs: Math.round(intervalMs), cpuShare: (cpu.user + cpu.system) / 1000 / intervalMs, transports };
  }
}

function perTransport<T>(make: (name: TransportName) => T): Record<TransportName, T> {
  return Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, make(name)])) as Record<TransportName, T>;
}
