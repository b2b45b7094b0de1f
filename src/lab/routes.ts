// The lab's HTTP API: `GET /api/lab` (public), `PUT /api/lab` and
// `POST /api/lab/drop` (presenter token), `GET /api/stats` (public).
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { TokenBuckets } from '../chat/rate-limit.js';
import { TRANSPORT_NAMES } from '../chat/transports.js';
import { sendError } from '../http/errors.js';
import { LabSettingsSchema, LabUpdateSchema, type LabUpdate } from './settings.js';
import { NodeSampleSchema, StatsSampleSchema } from './stats.js';
import { joinUrls } from './join.js';
import type { Lab } from './lab.js';
import { bearerToken, tokenMatches } from './token.js';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
const DropBodySchema = Type.Object(
  { transport: Type.Union(TRANSPORT_NAMES.map((name) => Type.Literal(name))) },
  { additionalProperties: false },
);
const DropResultSchema = Type.Object({
  transport: Type.String(),
  dropped: Type.Integer(),
  note: Type.String(),
  nodes: Type.Array(Type.Object({ nodeId: Type.String(), dropped: Type.Integer() })),
});
const authErrors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema };

export function registerLabRoutes(fastify: FastifyInstance, lab: Lab, attemptsPerMin: number): void {
  /** Wrong tokens per IP: a burst of `attemptsPerMin`, refilled over a minute. */
  const failures = new TokenBuckets({ ratePerSec: attemptsPerMin / 60, burst: attemptsPerMin });
  /** preHandler: 401 without a bearer token, 403 with a wrong one, 429 once an address has guessed wrong too often. */
  const presenterOnly = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      reply.header('www-authenticate', 'Bearer realm="transport-lab"');
      return sendError(reply, 401, { code: 'unauthorized', message: 'presenter token required: Authorization: Bearer <token>' });
    }
    // Checked before the token, so a locked-out guesser learns nothing, even with the right one.
    const ip = request.raw.socket.remoteAddress ?? 'unknown';
    const waitMs = failures.waitMs(ip);
    if (waitMs > 0) {
      reply.header('Retry-After', String(Math.ceil(waitMs / 1000)));
      return sendError(reply, 429, {
        code: 'too_many_attempts',
        message: `too many wrong presenter tokens, retry in ${Math.ceil(waitMs / 1000)} s`,
      });
    }
    if (!tokenMatches(token, lab.presenterToken)) {
      failures.take(ip);
      return sendError(reply, 403, { code: 'forbidden', message: 'wrong presenter token' });
    }
    return undefined;
  };
  /** Bad bodies get a code that says what they are, after the token was checked. */
  const invalidBody = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined =>
    request.validationError ? sendError(reply, 400, { code: 'invalid_settings', message: request.validationError.message }) : undefined;

  fastify.get('/api/lab', { schema: { response: { 200: LabSettingsSchema } } }, () => lab.settings);

  fastify.put<{ Body: LabUpdate }>(
    '/api/lab',
    {
      attachValidation: true,
      preHandler: presenterOnly,
      schema: { body: LabUpdateSchema, response: { 200: LabSettingsSchema, ...authErrors } },
    },
    (request, reply) => invalidBody(request, reply) ?? lab.update(request.body),
  );

  fastify.post<{ Body: Static<typeof DropBodySchema> }>(
    '/api/lab/drop',
    {
      attachValidation: true,
      preHandler: presenterOnly,
      schema: { body: DropBodySchema, response: { 200: DropResultSchema, ...authErrors } },
    },
    (request, reply) => invalidBody(request, reply) ?? lab.drop(request.body.transport),
  );

  // The settings ride along, so a page learns both from one short request.
  const StatsViewSchema = Type.Composite([
    StatsSampleSchema,
    Type.Object({ nodeId: Type.String(), nodes: Type.Array(NodeSampleSchema), settings: LabSettingsSchema }),
  ]);
  fastify.get('/api/stats', { schema: { response: { 200: StatsViewSchema } } }, () => ({ ...lab.statsView(), settings: lab.settings }));

  fastify.get('/api/lab/join', { schema: { response: { 200: Type.Object({ urls: Type.Array(Type.String()) }) } } }, () => ({
    urls: joinUrls(fastify.server.address() as AddressInfo),
  }));
}
