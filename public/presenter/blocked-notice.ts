// What a pane says while the presenter blocks WebSocket upgrades. A browser's
// WebSocket never reveals why a handshake failed (not even the HTTP status),
// so the reason comes from the lab settings, not from the failed connection.
import type { ClientTransport } from '../../src/client/index.js';
import { SocketIoTransport } from '../../src/client/socketio.js';
import { WebSocketTransport } from '../../src/client/websocket.js';

export function blockedNotice(transport: ClientTransport): string {
  if (transport instanceof WebSocketTransport) {
    return 'Blocked: the "corporate proxy" refuses every WebSocket handshake (403), so this pane cannot connect.';
  }
  if (transport instanceof SocketIoTransport) {
    return transport.mode === 'websocket'
      ? 'Blocked: WebSocket-only mode cannot connect through the "corporate proxy".'
      : 'The "corporate proxy" blocks the upgrade: new connections stay on HTTP long polling (drop Socket.IO connections to see it).';
  }
  return '';
}
