// The one list of transports: what each is called and what the page, the
// tests and the benchmark need to know about it. Isomorphic (server, client
// bundle, tests); the server and client registries pair each entry with code.
// A new transport is one entry here, one server file and one client file.

/** Socket.IO's connection modes (the pane's "Mode" select). */
export type SocketIoMode = 'auto' | 'websocket' | 'polling';

/** A slider under the pane's header; it changes the live client's property of the same name from the next request on. */
export interface RangeKnob {
  type: 'range';
  setting: 'intervalMs' | 'waitMs';
  label: string;
  min: number;
  /** A number, or the server's config value of that name. */
  max: number | 'longPollMaxWaitMs';
  step: number;
  unit: 'ms' | 's';
}

/** A select under the pane's header; a change starts a new client with it (it is fixed per connection). */
export interface ChoiceKnob {
  type: 'choice';
  setting: 'socketioMode';
  label: string;
  choices: ReadonlyArray<{ value: SocketIoMode; label: string }>;
}

export type Knob = RangeKnob | ChoiceKnob;

export interface TransportDescriptor {
  /** Also the `via` of the messages sent through it, and its URL segment. */
  readonly name: string;
  readonly displayName: string;
  /** Polling: the client asks; push: the server writes to a connection it holds. */
  readonly kind: 'poll' | 'push';
  /** How a message goes up: `POST /api/<name>/messages`, or over the transport's own connection. */
  readonly send: 'post' | 'socket';
  readonly knobs: readonly Knob[];
  /**
   * What the pane shows as expected latency: `half-interval` waits T/2 on
   * average for the next poll (T = the `intervalMs` knob), then one round
   * trip; `round-trip` is about one round trip.
   */
  readonly expectedLatency: 'half-interval' | 'round-trip';
  /**
   * What the pane says while the lab blocks WebSocket upgrades, by its
   * Socket.IO mode where it has one and whether its connection is on a
   * WebSocket opened before the block (the block refuses new handshakes
   * only). Absent: the switch does not touch it.
   */
  readonly blockedNotice?: (state: { socketioMode?: SocketIoMode; onWebSocket: boolean }) => string;
  /** The server holds connections the lab's "drop" can cut. */
  readonly droppable: boolean;
}

export const TRANSPORTS = [
  {
    name: 'short-polling',
    displayName: 'Short polling',
    kind: 'poll',
    send: 'post',
    knobs: [{ type: 'range', setting: 'intervalMs', label: 'Poll interval', min: 100, max: 5000, step: 100, unit: 'ms' }],
    expectedLatency: 'half-interval',
    droppable: false,
  },
  {
    name: 'long-polling',
    displayName: 'Long polling',
    kind: 'poll',
    send: 'post',
    // Takes effect from the next poll; the one held now keeps its hold time.
    knobs: [{ type: 'range', setting: 'waitMs', label: 'Hold time', min: 1000, max: 'longPollMaxWaitMs', step: 1000, unit: 's' }],
    expectedLatency: 'round-trip',
    droppable: true,
  },
  {
    name: 'websocket',
    displayName: 'WebSocket',
    kind: 'push',
    send: 'socket',
    knobs: [],
    expectedLatency: 'round-trip',
    blockedNotice: ({ onWebSocket }) =>
      onWebSocket
        ? 'The "corporate proxy" refuses every new WebSocket handshake (403); this connection opened before the block and lasts until it drops.'
        : 'Blocked: the "corporate proxy" refuses every WebSocket handshake (403), so this pane cannot connect.',
    droppable: true,
  },
  {
    name: 'socketio',
    displayName: 'Socket.IO',
    kind: 'push',
    send: 'socket',
    knobs: [
      {
        type: 'choice',
        setting: 'socketioMode',
        label: 'Mode',
        choices: [
          { value: 'auto', label: 'auto (polling, then upgrade)' },
          { value: 'websocket', label: 'WebSocket only' },
          { value: 'polling', label: 'polling only' },
        ],
      },
    ],
    expectedLatency: 'round-trip',
    blockedNotice: ({ socketioMode, onWebSocket }) => {
      if (socketioMode === 'websocket') {
        return onWebSocket
          ? 'WebSocket-only mode: this connection opened before the block; after a drop it cannot reconnect through the "corporate proxy".'
          : 'Blocked: WebSocket-only mode cannot connect through the "corporate proxy".';
      }
      return onWebSocket
        ? 'The "corporate proxy" blocks new upgrades; this connection upgraded before the block. New connections stay on HTTP long polling (drop Socket.IO connections to see it).'
        : 'The "corporate proxy" blocks the upgrade: this connection stays on HTTP long polling, and still delivers.';
    },
    droppable: true,
  },
  {
    name: 'sse',
    displayName: 'Server-Sent Events',
    kind: 'push',
    send: 'post',
    knobs: [],
    expectedLatency: 'round-trip',
    droppable: true,
  },
] as const satisfies readonly TransportDescriptor[];

export type TransportName = (typeof TRANSPORTS)[number]['name'];

export const TRANSPORT_NAMES: readonly TransportName[] = TRANSPORTS.map((transport) => transport.name);

/** The entry of one transport, typed as the general descriptor. */
export function descriptorOf(name: TransportName): TransportDescriptor {
  return BY_NAME.get(name)!;
}

const BY_NAME = new Map<TransportName, TransportDescriptor>(TRANSPORTS.map((transport) => [transport.name, transport]));

export const DISPLAY_NAMES = Object.fromEntries(TRANSPORTS.map((transport) => [transport.name, transport.displayName])) as Record<
  TransportName,
  string
>;
