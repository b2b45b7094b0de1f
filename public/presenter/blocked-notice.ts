// What a pane says while the presenter blocks WebSocket upgrades (from the
// descriptor list). A browser's WebSocket never reveals why a handshake failed
// (not even the HTTP status), so the reason comes from the lab settings, not
// from the failed connection.
import type { ClientTransport } from '../../src/client/index.js';
import { descriptorOf } from '../../src/chat/transports.js';

export function blockedNotice(transport: ClientTransport): string {
  return descriptorOf(transport.name).blockedNotice?.({ socketioMode: transport.socketioMode }) ?? '';
}
