// The room in Redis, so several server processes share one: one id sequence,
// one epoch, one bounded history, idempotent sends across nodes.
//
// Appends are one Lua script (dedupe, next id, XADD with the history bound,
// epoch created if absent). Every node reads the stream with a blocking XREAD
// into a local mirror (a History) and tells its subscribers, in id order; its
// transports answer catch-ups from that mirror, synchronously, as they do
// from the in-memory room.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { Script, withTimeout, type RedisClient } from '../cluster/redis-script.js';
import { History, type Catchup } from './history.js';
import type { Message, SendInput } from './message.js';
import type { TransportName } from './transports.js';
import { RoomUnavailableError, type AppendResult, type ChatRoom, type Subscriber } from './room.js';

export interface RedisRoomOptions {
  url: string;
  /** Every key starts with it, so two demos can share one Redis. */
  prefix: string;
  historyLimit: number;
  /** How many recent clientMsgIds are remembered for idempotent re-sends. */
  dedupeLimit?: number;
  now?: () => number;
  /** How long start-up waits for Redis before giving up. */
  connectTimeoutMs?: number;
}

/** XREAD's longest block: also how often an idle node checks that the dataset (its epoch) is still there. */
const BLOCK_MS = 1000;
/** A command (an append) that takes longer than this fails as unavailable; the client's retry is deduplicated. */
const COMMAND_TIMEOUT_MS = 2000;
/** An append waits at most this long for its message to reach this node's mirror (read-your-writes on one node). */
const MIRROR_WAIT_MS = 1000;
/** A cursor from a node further ahead waits at most this long for this node's mirror. */
const AHEAD_WAIT_MS = 2000;

// KEYS: stream, seq, epoch, dedupe hash, dedupe order list.
// ARGV: clientMsgId, message JSON without id, history limit, dedupe limit, epoch to create if absent.
// Returns {epoch, "<id> <json>", duplicate (0|1)}.
const APPEND = new Script(`
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[3], epoch)
end
local known = redis.call('HGET', KEYS[4], ARGV[1])
if known then return {epoch, known, 1} end
local id = string.format('%d', redis.call('INCR', KEYS[2]))
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], id .. '-0', 'm', ARGV[2])
local record = id .. ' ' .. ARGV[2]
redis.call('HSET', KEYS[4], ARGV[1], record)
if redis.call('RPUSH', KEYS[5], ARGV[1]) > tonumber(ARGV[4]) then
  redis.call('HDEL', KEYS[4], redis.call('LPOP', KEYS[5]))
end
return {epoch, record, 0}
`);

// KEYS: epoch, seq. ARGV: epoch to create if absent. Returns {epoch, last id}.
const EPOCH = new Script(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return {redis.call('GET', KEYS[1]), tonumber(redis.call('GET', KEYS[2]) or '0')}
`);

const newEpoch = (): string => randomBytes(6).toString('hex');

/** `"<id> <json>"` (a dedupe record) or a stream entry's id and JSON, as a Message. */
function toMessage(id: number, json: string): Message {
  return { id, ...(JSON.parse(json) as Omit<Message, 'id'>) };
}

function fromRecord(record: string): Message {
  const space = record.indexOf(' ');
  return toMessage(Number(record.slice(0, space)), record.slice(space + 1));
}

type StreamEntries = Array<[id: string, fields: string[]]>;
/** XREAD's reply: per stream key its entries (an object or pairs, depending on the client's protocol), or null after BLOCK ms. */
type StreamReply = Record<string, StreamEntries> | Array<[key: string, entries: StreamEntries]> | null;

function entriesOf(reply: StreamReply): StreamEntries[] {
  if (!reply) return [];
  return Array.isArray(reply) ? reply.map(([, entries]) => entries) : Object.values(reply);
}

export class RedisRoom implements ChatRoom {
  readonly #keys: { stream: string; seq: string; epoch: string; dedupe: string; dedupeOrder: string };
  readonly #history: History;
  readonly #dedupeLimit: number;
  readonly #now: () => number;
  /** Appends and small reads; fails fast while disconnected (no offline queue). */
  readonly #commands: RedisClient;
  /** The blocking XREAD loop has a connection to itself. */
  readonly #reader: RedisClient;
  #epoch = '';
  /** Bumped on every epoch change, so a read that started before it is dropped. */
  #generation = 0;
  /** The highest id known to exist in this epoch (from appends and Redis), possibly ahead of the mirror. */
  #knownLastId = 0;
  #readerHealthy = false;
  #closed = false;
  #loop: Promise<void> | undefined;
  #subscribers = new Set<Subscriber>();
  #epochListeners = new Set<(epoch: string) => void>();
  /** Waiting for the mirror to reach an id; sorted by id. */
  #waiters: Array<{ id: number; resolve: () => void }> = [];

  private constructor(options: RedisRoomOptions) {
    const key = (name: string): string => `${options.prefix}${name}`;
    this.#keys = { stream: key('messages'), seq: key('seq'), epoch: key('epoch'), dedupe: key('dedupe'), dedupeOrder: key('dedupe-order') };
    this.#history = new History(options.historyLimit);
    this.#dedupeLimit = Math.max(options.dedupeLimit ?? 10_000, options.historyLimit);
    this.#now = options.now ?? Date.now;
    this.#commands = createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: { connectTimeout: options.connectTimeoutMs ?? 5000, reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000) },
    });
    this.#reader = this.#commands.duplicate();
    // Errors also surface on the commands that fail; the client reconnects by itself.
    this.#commands.on('error', () => {});
    this.#reader.on('error', () => {});
  }

  /** Connects, adopts (or creates) the dataset's epoch, loads the retained history and starts reading. */
  static async connect(options: RedisRoomOptions): Promise<RedisRoom> {
    const room = new RedisRoom(options);
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    try {
      await withTimeout(Promise.all([room.#commands.connect(), room.#reader.connect()]), timeoutMs);
      await room.#checkEpoch();
      await room.#loadRetained();
    } catch (error) {
      await room.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot use Redis at ${options.url}: ${reason}`);
    }
    room.#readerHealthy = true;
    room.#loop = room.#readLoop();
    return room;
  }

  get epoch(): string {
    return this.#epoch;
  }

  /** The last id in this node's mirror. */
  get cursor(): number {
    return this.#history.lastId;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** False while Redis is unreachable: sends fail (retryably), receivers are served from the mirror. */
  get available(): boolean {
    return this.#commands.isReady && this.#readerHealthy;
  }

  /** Appends unless `clientMsgId` is known anywhere in the cluster; resolves once this node's mirror has it. */
  async append(input: SendInput, via: TransportName): Promise<AppendResult> {
    const json = JSON.stringify({ clientMsgId: input.clientMsgId, author: input.author, text: input.text, via, at: this.#now() });
    const { stream, seq, epoch, dedupe, dedupeOrder } = this.#keys;
    let reply: [string, string, number];
    try {
      reply = await APPEND.run(
        this.#commands,
        [stream, seq, epoch, dedupe, dedupeOrder],
        [input.clientMsgId, json, String(this.#history.limit), String(this.#dedupeLimit), newEpoch()],
      );
    } catch {
      throw new RoomUnavailableError();
    }
    const [replyEpoch, record, duplicate] = reply;
    this.#adoptEpoch(replyEpoch);
    const message = fromRecord(record);
    if (!duplicate) {
      this.#knownLastId = Math.max(this.#knownLastId, message.id);
      await this.#mirrorReaches(message.id, MIRROR_WAIT_MS);
    }
    return { message, duplicate: duplicate === 1 };
  }

  /** Everything after `since`, from this node's mirror (see History.since); a cursor known to be ahead of it gets nothing yet. */
  since(since: number | undefined, epoch?: string): Catchup {
    return this.#history.since(since, epoch, this.#epoch, (ahead) => ahead <= this.#knownLastId);
  }

  /**
   * Call before since() with a client's cursor: resolves at once (undefined)
   * when the mirror can answer it; else (a cursor from a node further ahead,
   * or an epoch this node has not seen yet) asks Redis and waits, bounded,
   * for the mirror, so since() resets only cursors that are really foreign.
   */
  settleCursor(since: number | undefined, epoch: string | undefined): Promise<void> | undefined {
    const foreign = epoch !== undefined && epoch !== this.#epoch;
    const ahead = since !== undefined && since > this.#history.lastId && since > this.#knownLastId;
    if (!foreign && !ahead) return undefined;
    return this.#settle(since).catch(() => {}); // Redis down: answer from the mirror
  }

  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /**
   * The dataset changed under us (Redis lost its data): ids start over under a
   * new epoch. Push transports close their connections so each client
   * reconnects with its old epoch and gets exactly one reset.
   */
  onEpochChange(listener: (epoch: string) => void): () => void {
    this.#epochListeners.add(listener);
    return () => this.#epochListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    // destroy() ends the blocked XREAD at once; the loop sees #closed and stops.
    for (const client of [this.#reader, this.#commands]) if (client.isOpen) client.destroy();
    await this.#loop;
  }

  async #settle(since: number | undefined): Promise<void> {
    const [epoch, lastId] = await EPOCH.run<[string, number]>(this.#commands, [this.#keys.epoch, this.#keys.seq], [newEpoch()]);
    this.#adoptEpoch(epoch);
    this.#knownLastId = Math.max(this.#knownLastId, lastId);
    if (since !== undefined && since <= lastId) await this.#mirrorReaches(since, AHEAD_WAIT_MS);
  }

  async #readLoop(): Promise<void> {
    let failures = 0;
    let epochCheckedAt = Date.now();
    while (!this.#closed) {
      try {
        if (Date.now() - epochCheckedAt >= BLOCK_MS) {
          await this.#checkEpoch();
          epochCheckedAt = Date.now();
        }
        const generation = this.#generation;
        const reply = await this.#reader.sendCommand<StreamReply>([
          'XREAD',
          'COUNT',
          '1000',
          'BLOCK',
          String(BLOCK_MS),
          'STREAMS',
          this.#keys.stream,
          `${this.#history.lastId}-0`,
        ]);
        this.#readerHealthy = true;
        failures = 0;
        if (generation !== this.#generation) continue;
        if (!reply) epochCheckedAt = 0; // idle: make sure the dataset is still the one we know
        for (const entries of entriesOf(reply)) this.#receive(entries);
      } catch {
        if (this.#closed) return;
        this.#readerHealthy = false;
        epochCheckedAt = 0; // Redis may have come back empty
        await sleep(Math.min(50 * 2 ** failures++, 1000));
      }
    }
  }

  async #checkEpoch(): Promise<void> {
    const [epoch, lastId] = await EPOCH.run<[string, number]>(this.#reader, [this.#keys.epoch, this.#keys.seq], [newEpoch()]);
    this.#adoptEpoch(epoch);
    this.#knownLastId = Math.max(this.#knownLastId, lastId);
  }

  async #loadRetained(): Promise<void> {
    const entries = await this.#reader.sendCommand<StreamEntries>(['XRANGE', this.#keys.stream, '-', '+']);
    this.#receive(entries);
  }

  /** Stream entries (id `<n>-0`, field `m`) into the mirror and out to subscribers, skipping ids already held. */
  #receive(entries: StreamEntries): void {
    for (const [streamId, fields] of entries) {
      const id = Number.parseInt(streamId, 10);
      if (id <= this.#history.lastId) continue;
      const message = toMessage(id, fields[1]!);
      this.#history.push(message);
      for (const subscriber of this.#subscribers) subscriber(message);
    }
    this.#knownLastId = Math.max(this.#knownLastId, this.#history.lastId);
    while (this.#waiters.length > 0 && this.#waiters[0]!.id <= this.#history.lastId) this.#waiters.shift()!.resolve();
  }

  #adoptEpoch(epoch: string): void {
    if (epoch === this.#epoch) return;
    const first = this.#epoch === '';
    this.#epoch = epoch;
    this.#generation++;
    this.#history.clear();
    this.#knownLastId = 0;
    // What they waited for is gone with the old dataset.
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    if (!first) for (const listener of this.#epochListeners) listener(epoch);
  }

  /** Resolves when the mirror holds `id`, or after `timeoutMs` (Redis slow or gone: the caller goes on). */
  #mirrorReaches(id: number, timeoutMs: number): Promise<void> {
    if (this.#history.lastId >= id || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#waiters;
      const waiter = {
        id,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const at = waiters.indexOf(waiter);
        if (at >= 0) waiters.splice(at, 1);
        resolve();
      }, timeoutMs);
      // Appends mostly finish in id order: insert from the end.
      let at = waiters.length;
      while (at > 0 && waiters[at - 1]!.id > id) at--;
      waiters.splice(at, 0, waiter);
    });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
