// Cross-Site WebSocket Hijacking guard for the socket handshakes. Browsers
// always send Origin on a WebSocket or cross-site request; a request without
// one comes from a non-browser client, which no victim's cookies ride on.
import type { IncomingMessage } from 'node:http';

export function isOriginAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
