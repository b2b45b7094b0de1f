// The only list of transports on the client: the page and the benchmark loop over it.
import type { TransportName } from '../chat/transports.js';
import { LongPollingTransport } from './long-polling.js';
import { ShortPollingTransport } from './short-polling.js';
import { SocketIoTransport } from './socketio.js';
import { SseTransport } from './sse.js';
import type { ClientTransport, ClientTransportOptions } from './transport.js';
import { WebSocketTransport } from './websocket.js';

export type ClientFactory = (options: ClientTransportOptions) => ClientTransport;

export const clientTransports: Record<TransportName, ClientFactory> = {
  'short-polling': (options) => new ShortPollingTransport(options),
  'long-polling': (options) => new LongPollingTransport(options),
  websocket: (options) => new WebSocketTransport(options),
  socketio: (options) => new SocketIoTransport(options),
  sse: (options) => new SseTransport(options),
};

export type { ClientTransport, ClientTransportOptions } from './transport.js';
