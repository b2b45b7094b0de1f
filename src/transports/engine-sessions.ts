// Engine.IO sessions under the per-IP connection cap. The cap in `io.use`
// comes after the Engine.IO handshake: a bare `GET /socket.io/?EIO=4&transport=polling`
// loop made sessions that each lived ~45 s (Socket.IO's wait for a namespace
// join, then a polling close that waits for a poll that never comes) and took
// the heap. Here every session is counted from its handshake, refused beyond
// the cap (403 before any session exists), and dropped at once when it has not
// joined the namespace within NAMESPACE_JOIN_MS.
import type { Server as EngineServer, Socket as EngineSocket } from 'engine.io';
import type { Server } from 'socket.io';
import { clientIp, type Guard } from './guard.js';

/** A real client sends its namespace CONNECT right after the handshake; a session that has not by then is dropped. */
export const NAMESPACE_JOIN_MS = 5_000;

export function capEngineSessions(engine: EngineServer, io: Server, guard: Guard): void {
  const previous = engine.opts.allowRequest;
  engine.opts.allowRequest = (req, callback) => {
    if (guard.engineSessions.count(clientIp(req)) >= guard.engineSessions.cap) {
      guard.engineSessions.refused++;
      return callback('too many connections from this address', false);
    }
    if (previous) previous(req, callback);
    else callback(null, true);
  };
  const joined = new WeakSet<EngineSocket>();
  io.on('connection', (socket) => joined.add(socket.conn));
  engine.on('connection', (session: EngineSocket) => {
    // Parallel handshakes may pass the check above together: the count here is the hard one.
    const release = guard.engineSessions.tryOpen(clientIp(session.request));
    // close(true) discards: a polling session is closed now, not at its next poll (which may never come).
    if (!release) return session.close(true);
    const timer = setTimeout(() => joined.has(session) || session.close(true), NAMESPACE_JOIN_MS);
    timer.unref();
    session.once('close', () => {
      clearTimeout(timer);
      release();
    });
  });
}
