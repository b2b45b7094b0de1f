// The chat message and its input rules: one definition for the server (HTTP
// schemas and socket paths alike) and the client code.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TRANSPORT_NAMES, type TransportName } from './transports.js';

export const LIMITS = {
  authorMaxLength: 32,
  textMaxLength: 1000,
  clientMsgIdMaxLength: 64,
} as const;

/** A message as every transport delivers it. */
export interface Message {
  id: number;
  clientMsgId: string;
  author: string;
  text: string;
  via: TransportName;
  at: number;
}

/** What a client sends; `author` and `text` are trimmed before their lengths are checked. */
export const SendInputSchema = Type.Object(
  {
    clientMsgId: Type.String({
      minLength: 1,
      maxLength: LIMITS.clientMsgIdMaxLength,
      pattern: '^[A-Za-z0-9._:-]+$',
    }),
    author: Type.String(),
    text: Type.String(),
  },
  { additionalProperties: false },
);
export type SendInput = Static<typeof SendInputSchema>;

export const MessageSchema = Type.Object({
  id: Type.Integer(),
  clientMsgId: Type.String(),
  author: Type.String(),
  text: Type.String(),
  via: Type.Union(TRANSPORT_NAMES.map((name) => Type.Literal(name))),
  at: Type.Number(),
});

/** The error code of a refused send that will pass later (the client retries it). */
export const RATE_LIMITED = 'rate_limited';
/** The error code of a refused send while the room's store (Redis) is unreachable; the client retries it. */
export const UNAVAILABLE = 'unavailable';

export interface ChatError {
  code: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ChatError };

const invalid = (message: string): Parsed<never> => ({
  ok: false,
  error: { code: 'invalid_message', message },
});

/**
 * Checks and normalises one send input. Used as is by the socket transports
 * and after Fastify's schema check by the HTTP ones, so every path gives the
 * same answer to the same input.
 */
export function parseSendInput(raw: unknown): Parsed<SendInput> {
  if (!Value.Check(SendInputSchema, raw)) {
    const first = Value.Errors(SendInputSchema, raw).First();
    const where = first?.path ? ` at ${first.path}` : '';
    return invalid(`send input must be {clientMsgId, author, text}: ${first?.message ?? 'bad shape'}${where}`);
  }
  return checkLengths(raw);
}

/** The rules a JSON schema cannot say: lengths after trimming. */
export function checkLengths(input: SendInput): Parsed<SendInput> {
  const author = input.author.trim();
  const text = input.text.trim();
  if (author.length < 1 || author.length > LIMITS.authorMaxLength) {
    return invalid(`author must be 1-${LIMITS.authorMaxLength} characters after trimming`);
  }
  if (text.length < 1 || text.length > LIMITS.textMaxLength) {
    return invalid(`text must be 1-${LIMITS.textMaxLength} characters after trimming`);
  }
  return { ok: true, value: { clientMsgId: input.clientMsgId, author, text } };
}
