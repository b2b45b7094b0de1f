// Socket.IO's life on the wire, read from engine.io-client's own events: the
// handshake GET, each polling GET (a held poll) and POST, the WebSocket probe
// and the upgrade, then each packet on the WebSocket. Events verified against
// engine.io-client 6.6: Socket 'open' 'packet' 'packetCreate' 'flush'
// 'upgrading' 'upgrade' 'upgradeError' 'close'; polling transport 'poll'
// 'pollComplete' 'drain'.
import type { WireEnd, WireFields } from './base.js';

interface EnginePacket {
  type: string;
  data?: unknown;
}

type Listener = (...args: never[]) => void;

/** The parts of engine.io-client's Socket and Transport used here. */
interface EngineTransport {
  name: string;
  on(event: string, listener: Listener): unknown;
}
export interface TracedEngine {
  readyState: string;
  transport: EngineTransport;
  on(event: string, listener: Listener): unknown;
}

export interface WireTracer {
  wire(fields: WireFields): void;
  wireStart(fields: WireFields): WireEnd;
}

const dataBytes = (data: unknown): number => (typeof data === 'string' ? new TextEncoder().encode(data).length : 0);

/** 'message' packets carry a Socket.IO packet: name its event ('send', 'message', 'welcome') or its type. */
export function packetLabel(packet: EnginePacket): string {
  if (packet.type !== 'message' || typeof packet.data !== 'string') return packet.type;
  const event = /^2\d*\["([^"]+)"/.exec(packet.data);
  if (event) return event[1]!;
  return { '0': 'connect', '1': 'disconnect', '3': 'ack', '4': 'connect error' }[packet.data[0] ?? ''] ?? 'message';
}

/** Traces one engine (Engine.IO makes a new one per (re)connection); call it as soon as the engine exists. */
export function traceEngine(engine: TracedEngine, tracer: WireTracer, upgrades: boolean): void {
  const polling = engine.transport.name === 'polling' ? engine.transport : undefined;
  const onPolling = (): boolean => engine.transport === polling;
  let endPoll: WireEnd | undefined;
  let pollBytes = 0;
  let pollMessages = 0;
  let endPost: WireEnd | undefined;
  let pendingOut = 0;
  let endProbe: WireEnd | undefined;
  let endSocketHandshake: WireEnd | undefined;

  const startPoll = (detail: string, roundTrip: boolean): void => {
    pollBytes = 0;
    pollMessages = 0;
    endPoll = tracer.wireStart({ kind: 'request', label: 'GET', detail, roundTrip });
  };
  // The first request already left when io() returned.
  if (engine.readyState === 'opening') {
    if (polling) startPoll('Engine.IO handshake (polling)', true);
    else
      endSocketHandshake = tracer.wireStart({ kind: 'request', label: 'GET', detail: 'handshake (Upgrade: websocket)', roundTrip: true });
  }
  polling?.on('poll', () => startPoll('poll (held until there is news)', false));
  polling?.on('pollComplete', () => {
    endPoll?.({ status: 200, bytesIn: pollBytes, empty: pollMessages === 0 });
    endPoll = undefined;
  });
  engine.on('flush', () => {
    if (!onPolling() || endPost) return;
    endPost = tracer.wireStart({ kind: 'request', label: 'POST', detail: 'packets to the server', bytesOut: pendingOut });
    pendingOut = 0;
  });
  polling?.on('drain', () => {
    endPost?.({ status: 200 });
    endPost = undefined;
  });

  engine.on('packet', (packet: EnginePacket) => {
    const bytes = dataBytes(packet.data);
    if (onPolling()) {
      pollBytes += bytes;
      if (packet.type === 'message') pollMessages++;
    } else tracer.wire({ kind: 'frame', direction: 'down', label: packetLabel(packet), bytesIn: bytes });
  });
  engine.on('packetCreate', (packet: EnginePacket) => {
    const bytes = dataBytes(packet.data);
    if (onPolling()) pendingOut += bytes;
    else tracer.wire({ kind: 'frame', direction: 'up', label: packetLabel(packet), bytesOut: bytes });
  });

  engine.on('open', () => {
    endSocketHandshake?.({ status: 101 });
    if (endSocketHandshake) tracer.wire({ kind: 'mark', label: '101', detail: 'Switching Protocols: WebSocket from the start' });
    // engine.io-client probes right after 'open' when it may upgrade.
    if (upgrades && onPolling()) {
      endProbe = tracer.wireStart({ kind: 'request', label: 'probe', detail: 'WebSocket handshake, then ping "probe" / pong "probe"' });
    }
  });
  engine.on('upgrading', () => endProbe?.({ status: 101 }));
  engine.on('upgradeError', (error: Error) => {
    endProbe?.({ status: 'failed' });
    tracer.wire({ kind: 'mark', label: 'probe failed', detail: `${error.message}: staying on polling` });
  });
  engine.on('upgrade', () =>
    tracer.wire({ kind: 'mark', label: 'upgrade', detail: 'upgrade packet sent: from now on every packet goes over the WebSocket' }),
  );
  engine.on('close', (reason: string) => {
    for (const end of [endPoll, endPost, endProbe, endSocketHandshake]) end?.({ status: 'closed' });
    tracer.wire({ kind: 'mark', label: 'close', detail: reason });
  });
}
