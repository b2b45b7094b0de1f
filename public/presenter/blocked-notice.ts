// What a pane says while the presenter blocks WebSocket upgrades (from the
// descriptor list). A browser's WebSocket never reveals why a handshake failed
// (not even the HTTP status), so the reason comes from the lab settings, not
// from the failed connection. What the connection is on now (polling or a
// WebSocket opened before the block) picks the words, so the note follows a drop.
import type { ClientTransport } from '../../src/client/index.js';
import { descriptorOf } from '../../src/chat/transports.js';

export function blockedNotice(transport: ClientTransport): string {
  // A WebSocket of this connection is open now: WebSocket's own, or Socket.IO's engine after its upgrade.
  const onWebSocket = transport.status === 'open' && (transport.name === 'websocket' || transport.detail.endsWith('websocket'));
  return descriptorOf(transport.name).blockedNotice?.({ socketioMode: transport.socketioMode, onWebSocket }) ?? '';
}
