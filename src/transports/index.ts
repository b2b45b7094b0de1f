// The only list of transports on the server. Adding one = one file + one line.
import type { TransportName } from '../chat/transports.js';
import { longPolling } from './long-polling.js';
import { shortPolling } from './short-polling.js';
import { socketio } from './socketio.js';
import { sse } from './sse.js';
import type { TransportPlugin } from './types.js';
import { websocket } from './websocket.js';

export const serverTransports: Record<TransportName, TransportPlugin> = {
  'short-polling': shortPolling,
  'long-polling': longPolling,
  websocket,
  socketio,
  sse,
};
