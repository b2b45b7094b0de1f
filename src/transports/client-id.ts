// The client id every transport carries (`client=` on HTTP requests and the
// WebSocket URL, `auth.client` on Socket.IO): random per client instance, the
// key of a sender's rate limit and of the participant counts. One set of rules
// for every transport: the HTTP query schemas use the schema, the socket
// handshakes the parser.
import { Type } from '@sinclair/typebox';
import type { Parsed } from '../chat/message.js';

export const CLIENT_ID_MAX_LENGTH = 64;
export const CLIENT_ID_PATTERN = `^[A-Za-z0-9._:-]{1,${CLIENT_ID_MAX_LENGTH}}$`;
const clientIdRegExp = new RegExp(CLIENT_ID_PATTERN);

export const ClientIdSchema = Type.String({ minLength: 1, maxLength: CLIENT_ID_MAX_LENGTH, pattern: CLIENT_ID_PATTERN });

/** Absent (undefined or null) is allowed: the connection then stands for the client. */
export function parseClientId(raw: unknown): Parsed<string | undefined> {
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  if (typeof raw === 'string' && clientIdRegExp.test(raw)) return { ok: true, value: raw };
  return {
    ok: false,
    error: { code: 'invalid_query', message: `client must be 1-${CLIENT_ID_MAX_LENGTH} characters of A-Z a-z 0-9 . _ : -` },
  };
}

const connectionKeys = new WeakMap<object, string>();
let nextConnection = 1;

/**
 * The participant key of a client that names no id: its connection (a TCP
 * socket, or a Socket.IO session). `~` is not allowed in a client id, so the
 * two never meet.
 */
export function connectionKey(connection: object): string {
  let key = connectionKeys.get(connection);
  if (key === undefined) {
    key = `~conn${nextConnection++}`;
    connectionKeys.set(connection, key);
  }
  return key;
}
