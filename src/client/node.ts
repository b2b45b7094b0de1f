// What Node 20 lacks that the browser has, for the transport clients when they
// run in Node (tests, benchmark, soak): spread into ClientTransportOptions.
// Not part of the page's bundle.
import { EventSource } from 'eventsource';
import { WebSocket } from 'ws';
import type { ClientTransportOptions, WebSocketConstructor } from './transport.js';

export const NODE_GLOBALS: Pick<ClientTransportOptions, 'WebSocket' | 'EventSource'> = {
  WebSocket: WebSocket as unknown as WebSocketConstructor,
  EventSource,
};
