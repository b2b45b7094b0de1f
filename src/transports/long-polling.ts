// Long polling: a GET with nothing new is held until a message arrives or
// `wait` ms pass. One held poll per `client`; a global cap answers 503.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Catchup } from '../chat/room.js';
import { catchupFor } from './catchup.js';
import { sendError } from '../http/errors.js';
import { API_HEADERS } from '../http/security.js';
import {
  answerPoll,
  firstBatch,
  registerSendRoute,
  messagesUrl,
  ReceiveQuerySchema,
  CatchupSchema,
  optionalInt,
  participantOf,
  whenReady,
  type PollReply,
  type ReceiveQuery,
} from './http-common.js';
import { clientIp } from './guard.js';
import { PollAnswers } from './poll-answer.js';
import type { TransportPlugin } from './types.js';

interface HeldPoll {
  since: number;
  epoch: string | undefined;
  client: string | undefined;
  /** Who it counts as among the participants (its client, else its connection). */
  participant: string;
  /** The lab's "drop connections": cuts the poll's TCP connection in the middle of its answer. */
  cut: () => void;
  timer: NodeJS.Timeout;
  answer: (reply: PollReply) => void;
  /** Frees its place under the per-IP cap. */
  releaseSlot: () => void;
}

/** What a held poll keeps of its query. */
interface ParsedQuery {
  since: number;
  epoch: string | undefined;
  client: string | undefined;
  participant: string;
  wait: number;
}

const PARTIAL_ANSWER = '{"messages":[';

/**
 * Cuts a held poll's connection once its answer has begun: the client sees
 * the cut (a network error reading the body) and reconnects. Cut before any
 * byte, a browser re-sends the GET by itself on a fresh connection (it does
 * so for an idempotent request on a reused keep-alive connection), so the
 * page would never know.
 */
function cutMidAnswer(reply: FastifyReply): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(PARTIAL_ANSWER.length * 4),
    // Fastify's reply headers (the API's) never reach a hijacked answer.
    ...API_HEADERS,
  });
  res.write(PARTIAL_ANSWER);
  // end(), not destroy(): what was written goes out first, then the connection closes.
  res.socket?.end();
}

export const longPolling: TransportPlugin = (fastify, { room, options, lab, guard }) => {
  registerSendRoute(fastify, { room, guard, lab }, 'long-polling');

  const answers = new PollAnswers('long-polling', fastify.nodeId, lab);
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
      for (const poll of [...held]) poll.cut();
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

  /** A poll with nothing new: held until a message, its `wait`, or a newer poll of its client. */
  function hold(request: FastifyRequest, reply: FastifyReply, catchup: Catchup, query: ParsedQuery): void {
    const { since, epoch, client, participant, wait } = query;
    // The client may already be gone (its 'close' fired before we got here).
    if (reply.raw.destroyed || request.raw.socket.destroyed) return void answers.send(reply, catchup);

    // A client's newer poll supersedes its older one (e.g. after a page
    // reload or a retry), which is answered at once with nothing new.
    const previous = client === undefined ? undefined : heldByClient.get(client);
    if (previous) release(previous);
    if (held.size >= options.longPollMaxHeld) {
      reply.header('Retry-After', '1');
      return void sendError(reply, 503, { code: 'too_many_polls', message: 'too many held polls, retry shortly' });
    }
    const releaseSlot = guard.heldPolls.tryOpen(clientIp(request.raw));
    if (!releaseSlot) {
      reply.header('Retry-After', '1');
      return void sendError(reply, 429, { code: 'too_many_polls', message: 'too many held polls from this address, retry shortly' });
    }

    const poll: HeldPoll = {
      since,
      epoch,
      client,
      participant,
      cut: () => cutMidAnswer(reply),
      answer: (answer) => answers.send(reply, answer),
      releaseSlot,
      timer: setTimeout(() => release(poll), wait),
    };
    held.add(poll);
    if (client !== undefined) heldByClient.set(client, poll);
    // The client went away: drop the poll so nothing is kept for it.
    // (`close` on the response fires on abort; after a real answer the poll is already gone.)
    reply.raw.once('close', () => {
      if (forget(poll)) answers.send(reply, catchup);
    });
  }

  fastify.get<{ Querystring: ReceiveQuery }>(
    messagesUrl('long-polling'),
    { schema: { querystring: ReceiveQuerySchema, response: { 200: CatchupSchema, 429: Type.Any(), 503: Type.Any() } } },
    // Not async: with the in-memory room nothing is awaited, so no promise per poll.
    (request, reply) => {
      const { epoch, client } = request.query;
      const participant = participantOf(request);
      lab.stats.seen('long-polling', participant);
      const since = optionalInt(request.query.since);
      const wait = optionalInt(request.query.wait) ?? options.longPollWaitMs;
      if (wait > options.longPollMaxWaitMs) {
        return void sendError(reply, 400, {
          code: 'invalid_query',
          message: `wait must be at most ${options.longPollMaxWaitMs} ms`,
        });
      }
      whenReady(reply, catchupFor(room, since, epoch), (catchup) => {
        if (since === undefined || catchup.messages.length > 0 || catchup.reset || wait === 0) {
          answerPoll(request, reply, catchup, { options, guard, answers });
        } else hold(request, reply, catchup, { since, epoch, client, participant, wait });
      });
    },
  );
};
