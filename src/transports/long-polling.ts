// Long polling: a GET with nothing new is held until a message arrives or
// `wait` ms pass. One held poll per `client`; a global cap answers 503.
import { Type } from '@sinclair/typebox';
import { catchupFor } from './catchup.js';
import { sendError } from '../http/errors.js';
import {
  answerPoll,
  firstBatch,
  catchupSerializerCompiler,
  registerSendRoute,
  messagesUrl,
  ReceiveQuerySchema,
  CatchupSchema,
  optionalInt,
  participantOf,
  type PollReply,
  type ReceiveQuery,
} from './http-common.js';
import { clientIp } from './guard.js';
import type { TransportPlugin } from './types.js';

interface HeldPoll {
  since: number;
  epoch: string | undefined;
  client: string | undefined;
  /** Who it counts as among the participants (its client, else its connection). */
  participant: string;
  /** The TCP connection the poll waits on (the lab's "drop connections" cuts it). */
  socket: { destroy(): void };
  timer: NodeJS.Timeout;
  answer: (reply: PollReply) => void;
  /** Frees its place under the per-IP cap. */
  releaseSlot: () => void;
}

export const longPolling: TransportPlugin = (fastify, { room, options, lab, guard }) => {
  registerSendRoute(fastify, { room, guard, lab }, 'long-polling');

  const held = new Set<HeldPoll>();
  const heldByClient = new Map<string, HeldPoll>();

  const forget = (poll: HeldPoll): boolean => {
    if (!held.delete(poll)) return false;
    clearTimeout(poll.timer);
    poll.releaseSlot();
    if (poll.client !== undefined && heldByClient.get(poll.client) === poll) heldByClient.delete(poll.client);
    return true;
  };
  const release = (poll: HeldPoll): void => {
    if (forget(poll)) poll.answer(firstBatch(room.since(poll.since, poll.epoch), options.pollBatchMessages));
  };
  const releaseAll = (): void => {
    for (const poll of [...held]) release(poll);
  };

  lab.attach('long-polling', {
    httpPrefix: messagesUrl('long-polling'),
    delayHttp: true,
    connections: () => held.size,
    heldPolls: () => held.size,
    // A client waiting in a held poll is here, however long the hold.
    clientIds: () => [...held].map((poll) => poll.participant),
    // Like a network cut: the socket dies, the poll's 'close' forgets it, the client re-polls.
    drop: () => {
      const cut = held.size;
      for (const poll of [...held]) poll.socket.destroy();
      return cut;
    },
  });

  const unsubscribe = room.subscribe(releaseAll);
  // A new epoch (Redis lost its data): every held poll gets its reset now.
  const unwatchEpoch = room.onEpochChange(releaseAll);
  // Answer held polls before the server stops waiting for in-flight requests.
  fastify.addHook('preClose', (done) => {
    unsubscribe();
    unwatchEpoch();
    releaseAll();
    done();
  });

  fastify.get<{ Querystring: ReceiveQuery }>(
    messagesUrl('long-polling'),
    {
      schema: { querystring: ReceiveQuerySchema, response: { 200: CatchupSchema, 429: Type.Any(), 503: Type.Any() } },
      serializerCompiler: catchupSerializerCompiler,
    },
    async (request, reply) => {
      const { epoch, client } = request.query;
      const participant = participantOf(request);
      lab.stats.seen('long-polling', participant);
      const since = optionalInt(request.query.since);
      const wait = optionalInt(request.query.wait) ?? options.longPollWaitMs;
      if (wait > options.longPollMaxWaitMs) {
        return sendError(reply, 400, {
          code: 'invalid_query',
          message: `wait must be at most ${options.longPollMaxWaitMs} ms`,
        });
      }
      const catchup = await catchupFor(room, since, epoch);
      // Every answer names the node that gave it (several share one room through Redis).
      const withNode = (answer: PollReply): PollReply => ({ ...answer, nodeId: fastify.nodeId }) as PollReply;
      if (since === undefined || catchup.messages.length > 0 || catchup.reset || wait === 0) {
        return answerPoll(request, reply, withNode(catchup), options, guard);
      }

      // The client may already be gone (its 'close' fired before we got here).
      if (reply.raw.destroyed || request.raw.socket.destroyed) return withNode(catchup);

      // A client's newer poll supersedes its older one (e.g. after a page
      // reload or a retry), which is answered at once with nothing new.
      const previous = client === undefined ? undefined : heldByClient.get(client);
      if (previous) release(previous);
      if (held.size >= options.longPollMaxHeld) {
        reply.header('Retry-After', '1');
        return sendError(reply, 503, { code: 'too_many_polls', message: 'too many held polls, retry shortly' });
      }
      const releaseSlot = guard.heldPolls.tryOpen(clientIp(request.raw));
      if (!releaseSlot) {
        reply.header('Retry-After', '1');
        return sendError(reply, 429, { code: 'too_many_polls', message: 'too many held polls from this address, retry shortly' });
      }

      return new Promise<PollReply>((resolve) => {
        const poll: HeldPoll = {
          since,
          epoch,
          client,
          participant,
          socket: request.raw.socket,
          answer: (answer) => resolve(withNode(answer)),
          releaseSlot,
          timer: setTimeout(() => release(poll), wait),
        };
        held.add(poll);
        if (client !== undefined) heldByClient.set(client, poll);
        // The client went away: drop the poll so nothing is kept for it.
        // (`close` on the response fires on abort; after a real answer the poll is already gone.)
        reply.raw.once('close', () => {
          if (forget(poll)) resolve(withNode(catchup));
        });
      });
    },
  );
};
