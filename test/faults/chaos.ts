// The chaos run shared by the short test in `npm test` and `npm run chaos`:
// clients of every transport talk to a real server through the fault proxy,
// several of them send while connections are cut, and at the end every
// client's view is compared with the room's log.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { TransportName } from '../../src/chat/transports.js';
import { Room } from '../../src/chat/room.js';
import type { ClientTransport } from '../../src/client/transport.js';
import { buildServer } from '../../src/server.js';
import { input, makeClient, Recorder, TRANSPORTS, waitFor } from '../helpers.js';
import { FaultProxy, type LatencyOptions } from './proxy.js';

export interface ChaosOptions {
  clientsPerTransport: number;
  /** Of the clients of each transport, how many also send. */
  sendersPerTransport: number;
  messages: number;
  cutEveryMs: number;
  /** Share of open connections cut at each tick. */
  cutFraction: number;
  /** Restart the server (new room, same port) once this many messages are acknowledged. */
  restartAfter?: number;
  /** How long the clients get to settle once the faults stop. */
  settleMs: number;
  /** Delay every chunk through the proxy (order kept per direction). */
  latency?: LatencyOptions;
  /** Every so many cut ticks, stall all connections for `stallMs` instead of cutting. */
  stallEvery?: number;
  stallMs?: number;
  /** A send still not acknowledged this long after it began: the run stops sending and reports it (default 5 minutes). */
  sendDeadlineMs?: number;
  /** Keep a timeline per client (status, wire, resets, syncs, deliveries, the proxy's faults) and return those of the clients that fail. */
  timeline?: boolean;
}

export interface TransportTally {
  clients: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Clients that saw exactly one reset per server restart. */
  resetAsExpected: number;
}

export interface ChaosResult {
  sent: number;
  /** Sends still not acknowledged when sending stopped (a send passed its deadline: these include it). */
  unacknowledged: number;
  /** The longest a send waited for its acknowledgement, ms (the one still waiting when sending stopped included). */
  longestSendMs: number;
  /** The sends still waiting when sending stopped: sender, its state, how long. */
  waitingSends: string[];
  /** Messages in the (last) room. */
  roomMessages: number;
  /** Acknowledged sends found in no room (lost uplink). */
  missingFromRooms: number;
  /** Appends of a clientMsgId a room already had (doubled uplink). */
  doubledInRooms: number;
  cuts: number;
  restarted: boolean;
  durationMs: number;
  transports: Record<TransportName, TransportTally>;
  /** Clients that had not caught up when the settle time ran out: what they were doing. */
  stragglers: string[];
  /** With `timeline`: one per client that lost, doubled, reordered, saw the wrong resets, did not catch up or had a send waiting. */
  timelines: string[];
}

/** What went wrong in a run (empty: every client has every message exactly once, in order, with the expected resets). */
export function chaosProblems(result: ChaosResult): string[] {
  const problems: string[] = [];
  if (result.unacknowledged > 0) problems.push(`${result.unacknowledged} sends not acknowledged: ${result.waitingSends.join('; ')}`);
  if (result.missingFromRooms > 0) problems.push(`${result.missingFromRooms} acknowledged sends in no room`);
  if (result.doubledInRooms > 0) problems.push(`${result.doubledInRooms} sends appended twice`);
  for (const [name, tally] of Object.entries(result.transports)) {
    const { lost, duplicated, reordered } = tally;
    if (lost + duplicated + reordered > 0) problems.push(`${name}: ${lost} lost, ${duplicated} duplicated, ${reordered} reordered`);
    const wrongResets = tally.clients - tally.resetAsExpected;
    if (wrongResets > 0) problems.push(`${name}: ${wrongResets} clients saw the wrong resets (restart: ${result.restarted})`);
  }
  if (result.stragglers.length > 0) problems.push(`not caught up: ${result.stragglers.join('; ')}`);
  return problems;
}

interface Server {
  app: FastifyInstance;
  room: Room;
}

async function startRoomServer(port: number, historyLimit: number): Promise<Server> {
  const room = new Room({ historyLimit });
  // The run is a flood by design: the send rate limit is lifted, as for the benchmark.
  const app = await buildServer({ logLevel: 'silent', room, rateLimit: false });
  await app.listen({ port, host: '127.0.0.1' });
  return { app, room };
}

/** 1..3, 7, 9..12 */
function compactIds(ids: number[]): string {
  if (ids.length === 0) return 'none';
  const ranges: string[] = [];
  let from = ids[0]!;
  for (let index = 1; index <= ids.length; index++) {
    if (ids[index] === ids[index - 1]! + 1) continue;
    const to = ids[index - 1]!;
    ranges.push(from === to ? `${from}` : `${from}..${to}`);
    from = ids[index]!;
  }
  return ranges.join(', ');
}

/** Lost, duplicated and reordered ids of one client against the ids it should have. */
export function tally(received: number[], expected: number[]): { lost: number; duplicated: number; reordered: number } {
  const seen = new Set(received);
  const lost = expected.filter((id) => !seen.has(id)).length;
  const duplicated = received.length - seen.size;
  const reordered = received.filter((id, index) => index > 0 && id < received[index - 1]!).length;
  return { lost, duplicated, reordered };
}

/** One client's (or the proxy's) events, with times from the run's start; consecutive deliveries make one range. */
class Timeline {
  readonly entries: Array<{ at: number; text: string; from?: number; to?: number }> = [];
  constructor(
    readonly label: string,
    readonly started: number,
  ) {}

  add(text: string): void {
    this.entries.push({ at: Date.now() - this.started, text });
  }

  delivered(id: number): void {
    const last = this.entries.at(-1);
    if (last?.to !== undefined && id === last.to + 1) last.to = id;
    else this.entries.push({ at: Date.now() - this.started, text: 'messages', from: id, to: id });
  }

  render(): string[] {
    return this.entries.map(({ at, text, from, to }) => {
      const what = from === undefined ? text : from === to ? `message ${from}` : `messages ${from}..${to}`;
      return `${String(at).padStart(7)} ms  ${this.label.padEnd(16)} ${what}`;
    });
  }
}

/** Follows a client: everything it says it does, and what it gets. */
function follow(client: ClientTransport, timeline: Timeline): void {
  client.on('status', (status, detail) => timeline.add(`status ${status}${detail ? ` (${detail})` : ''}`));
  client.on('reset', (epoch) => timeline.add(`RESET to epoch ${epoch}`));
  client.on('sync', (info) => timeline.add(`sync at ${info.cursor} (caught up ${info.caughtUp}${info.reset ? ', reset' : ''})`));
  client.on('error', (error) => timeline.add(`error ${error.code}: ${error.message}`));
  client.on('message', (message) => timeline.delivered(message.id));
  client.on('wire', (entry) => {
    if (entry.label === 'message') return; // the deliveries say it
    const arrow = entry.direction === 'up' ? 'up ' : entry.direction === 'down' ? 'down ' : '';
    const status = entry.status === undefined ? '' : ` -> ${entry.status}`;
    const span = entry.kind === 'request' ? (entry.endAt === undefined ? ' (sent)' : ' (answered)') : '';
    timeline.add(`wire ${entry.kind} ${arrow}${entry.label}${entry.detail ? ` ${entry.detail}` : ''}${status}${span}`);
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const faults = new Timeline('proxy', started);
  const timelines = new Map<ClientTransport, Timeline>();
  const historyLimit = options.messages + 100; // every client can catch up from the log
  let server = await startRoomServer(0, historyLimit);
  const port = (server.app.server.address() as AddressInfo).port;
  const firstRoom = server.room;
  const proxy = await FaultProxy.start(port);
  if (options.latency) proxy.setLatency(options.latency);

  const clients: ClientTransport[] = [];
  const recorders: Recorder[] = [];
  /** Per recorder: how many messages it had at each reset. */
  const resetAt = new Map<Recorder, number[]>();
  const sentIds: string[] = [];
  const ackedIds = new Set<string>();
  /** clientMsgId -> when its send began and who sends it, while it waits for its acknowledgement. */
  const waiting = new Map<string, { began: number; sender: ClientTransport }>();
  let longestSendMs = 0;
  const senders: ClientTransport[] = [];
  for (const name of TRANSPORTS) {
    for (let n = 0; n < options.clientsPerTransport; n++) {
      const client = makeClient(name, proxy.baseUrl, { since: 0, sendTimeoutMs: 1000, waitMs: 2000 });
      clients.push(client);
      const recorder = new Recorder(client);
      if (options.timeline) {
        const timeline = new Timeline(`${name}#${n}`, started);
        follow(client, timeline);
        timelines.set(client, timeline);
      }
      const marks: number[] = [];
      client.on('reset', () => marks.push(recorder.messages.length));
      recorders.push(recorder);
      resetAt.set(recorder, marks);
      if (n < options.sendersPerTransport) senders.push(client);
      client.connect();
    }
  }
  let restarted = false;
  let ticker: NodeJS.Timeout | undefined;
  try {
    await waitFor(() => recorders.every((recorder) => recorder.syncs.length > 0), 30_000, 'every client connected');

    let tick = 0;
    ticker = setInterval(() => {
      const open = proxy.connectionCount;
      if (options.stallEvery && ++tick % options.stallEvery === 0) {
        proxy.stall(options.stallMs ?? 500);
        faults.add(`stall of all ${open} connections for ${options.stallMs ?? 500} ms`);
      } else {
        faults.add(`cut ${proxy.cutRandom(options.cutFraction)} of ${open} connections`);
      }
    }, options.cutEveryMs);
    let acked = 0;
    let restarting: Promise<void> | undefined;
    const restart = async (): Promise<void> => {
      faults.add('server restart begins');
      await server.app.close();
      server = await startRoomServer(port, historyLimit);
      restarted = true;
      faults.add(`server restarted, epoch ${server.room.epoch}`);
    };
    const perSender = Math.ceil(options.messages / senders.length);
    let sendingStopped = false;
    const sending = Promise.all(
      senders.map(async (sender, index) => {
        for (let n = 0; n < perSender && index * perSender + n < options.messages && !sendingStopped; n++) {
          const message = input(`${sender.name} ${index}/${n}`, `sender${index}`);
          sentIds.push(message.clientMsgId);
          const began = Date.now();
          waiting.set(message.clientMsgId, { began, sender });
          await sender.send(message);
          waiting.delete(message.clientMsgId);
          longestSendMs = Math.max(longestSendMs, Date.now() - began);
          ackedIds.add(message.clientMsgId);
          acked++;
          if (options.restartAfter !== undefined && acked >= options.restartAfter && !restarting) restarting = restart();
        }
      }),
    );
    // A send that is never acknowledged (the clients retry for ever) ends the run as a failure with timelines, not a hang.
    // The deadline is per send: a slow run on a loaded machine is not a stuck send.
    const sendDeadlineMs = options.sendDeadlineMs ?? 300_000;
    const oldestWaitMs = (): number => Date.now() - Math.min(Date.now(), ...[...waiting.values()].map(({ began }) => began));
    let watchdog: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      sending.then(() => true),
      new Promise<false>((resolve) => (watchdog = setInterval(() => oldestWaitMs() > sendDeadlineMs && resolve(false), 1000))),
    ]).finally(() => clearInterval(watchdog));
    longestSendMs = Math.max(longestSendMs, oldestWaitMs());
    if (!finished) {
      sendingStopped = true;
      sending.catch(() => undefined); // the clients are switched off below: their last sends reject
    }
    await restarting;
    clearInterval(ticker);
    faults.add(
      finished
        ? `faults stop; every send acknowledged; room at ${server.room.cursor}`
        : `faults stop; a send still not acknowledged after ${sendDeadlineMs} ms (${sentIds.length - acked} waiting in all); room at ${server.room.cursor}`,
    );

    const room = server.room;
    await waitFor(
      () => clients.every((client) => client.epoch === room.epoch && client.cursor === room.cursor),
      options.settleMs,
      'every client caught up with the room',
    ).catch(() => undefined); // the tally below says who did not

    const log = room.since(0).messages;
    const expected = log.map((message) => message.id);
    const transports = Object.fromEntries(
      TRANSPORTS.map((name) => [name, { clients: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, resetAsExpected: 0 }]),
    ) as Record<TransportName, TransportTally>;
    /** Clients that did not end right, with the ids they have of the (last) room. */
    const failing: Array<{ client: ClientTransport; ids: Set<number> }> = [];
    for (const recorder of recorders) {
      const tallyOf = transports[recorder.client.name];
      const resets = recorder.resets.length;
      // After a restart only what follows the reset must match the new room.
      const lastReset = resetAt.get(recorder)!.at(-1);
      const current = restarted ? recorder.messages.slice(lastReset ?? recorder.messages.length) : recorder.messages;
      const counts = tally(
        current.map((message) => message.id),
        expected,
      );
      if (restarted) {
        const before = recorder.messages.slice(0, lastReset ?? 0).map((message) => message.id);
        const beforeCounts = tally(before, []);
        counts.duplicated += beforeCounts.duplicated;
        counts.reordered += beforeCounts.reordered;
      }
      tallyOf.clients++;
      tallyOf.delivered += recorder.messages.length;
      tallyOf.lost += counts.lost;
      tallyOf.duplicated += counts.duplicated;
      tallyOf.reordered += counts.reordered;
      const resetsAsExpected = resets === (restarted ? 1 : 0) && recorder.resets.every((epoch) => epoch === room.epoch);
      if (resetsAsExpected) tallyOf.resetAsExpected++;
      const caughtUp = recorder.client.epoch === room.epoch && recorder.client.cursor === room.cursor;
      const stuckSending = [...waiting.values()].some(({ sender }) => sender === recorder.client);
      if (stuckSending || !resetsAsExpected || !caughtUp || counts.lost + counts.duplicated + counts.reordered > 0) {
        failing.push({ client: recorder.client, ids: new Set(current.map((message) => message.id)) });
      }
    }
    const rooms = restarted ? [firstRoom, room] : [room];
    const roomIds = rooms.map((r) => r.since(0).messages.map((message) => message.clientMsgId));
    const stored = new Set(roomIds.flat());
    return {
      sent: sentIds.length,
      unacknowledged: sentIds.length - acked,
      longestSendMs,
      waitingSends: [...waiting.values()].map(
        ({ began, sender }) =>
          `${timelines.get(sender)?.label ?? sender.name} ${sender.status} (${sender.detail}) for ${Math.round((Date.now() - began) / 1000)} s`,
      ),
      roomMessages: log.length,
      missingFromRooms: [...ackedIds].filter((id) => !stored.has(id)).length,
      doubledInRooms: roomIds.reduce((sum, ids) => sum + ids.length - new Set(ids).size, 0),
      cuts: proxy.cuts,
      restarted,
      durationMs: Date.now() - started,
      transports,
      stragglers: clients
        .filter((client) => client.epoch !== room.epoch || client.cursor !== room.cursor)
        .map((client) => `${client.name} ${client.status} (${client.detail}) at ${client.cursor}/${room.cursor}`),
      timelines: failing.flatMap(({ client, ids }) => {
        const timeline = timelines.get(client);
        if (!timeline) return [];
        const merged = [...timeline.render(), ...faults.render()].sort((a, b) => parseInt(a) - parseInt(b));
        const missing = compactIds(expected.filter((id) => !ids.has(id)));
        const ended = `ended ${client.status} (${client.detail}) at ${client.cursor}/${room.cursor}, epoch ${client.epoch} (room ${room.epoch})`;
        return [[`${timeline.label}: ${ended}; missing ${missing}`, ...merged].join('\n')];
      }),
    };
  } finally {
    clearInterval(ticker);
    for (const client of clients) client.disconnect();
    await proxy.close();
    await server.app.close();
  }
}
