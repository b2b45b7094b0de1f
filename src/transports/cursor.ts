// The resume cursor (`since` + `epoch`) under one set of rules for every
// transport: the HTTP query schema uses the pattern, the socket handshakes
// (ws query string, Socket.IO `auth`) the parser.
import type { Parsed } from '../chat/message.js';

/** A non-negative integer small enough to be exact in JSON; no signs, exponents or leading zeros. */
export const CURSOR_PATTERN = '^(0|[1-9][0-9]{0,14})$';
const cursorRegExp = new RegExp(CURSOR_PATTERN);

export interface Cursor {
  since: number | undefined;
  epoch: string | undefined;
}

const invalid = (message: string): Parsed<never> => ({ ok: false, error: { code: 'invalid_query', message } });

/** Accepts numbers or numeric strings for `since`; absent (undefined or null) means "join live". */
export function parseCursor(since: unknown, epoch: unknown): Parsed<Cursor> {
  let sinceValue: number | undefined;
  if (typeof since === 'number' && Number.isSafeInteger(since) && since >= 0) sinceValue = since;
  else if (typeof since === 'string' && cursorRegExp.test(since)) sinceValue = Number(since);
  else if (since !== undefined && since !== null) return invalid('since must be a non-negative integer');

  if (epoch !== undefined && epoch !== null && (typeof epoch !== 'string' || epoch.length < 1 || epoch.length > 64)) {
    return invalid('epoch must be a string of 1-64 characters');
  }
  return { ok: true, value: { since: sinceValue, epoch: epoch ?? undefined } };
}
