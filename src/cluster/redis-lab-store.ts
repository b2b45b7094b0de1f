// The lab shared by every node through Redis: one set of settings, one drop.
//
// - Settings: a hash (`lab`), one field per setting (`blockWebSocket`,
//   `addedLatencyMs.websocket`, ...) and a `version`. An update is one Lua
//   script: HSET the fields it names, bump the version, PUBLISH the whole hash
//   on the `lab` channel. Every node keeps the newest version it has seen, so
//   reading a setting (on every message) costs no round trip.
// - Drop: a request on the `lab` channel; every subscribed node cuts its own
//   connections and answers with its count on the same channel. PUBLISH says
//   how many nodes heard the request, so the asker knows how many answers to
//   wait for (bounded: a node that dies meanwhile is not waited for long).
import { randomUUID } from 'node:crypto';
import { RoomUnavailableError } from '../chat/room.js';
import { TRANSPORT_NAMES, type TransportName } from '../chat/transports.js';
import type { DropHandler, LabStore, NodeDrop } from '../lab/lab-store.js';
import { defaultSettings, MAX_ADDED_MS, type LabSettings, type LabUpdate } from '../lab/settings.js';
import type { RedisLink } from './redis-link.js';
import { Script } from './redis-script.js';

/** How long a drop waits for the other nodes' answers. */
const DROP_ANSWER_WAIT_MS = 2000;
/** After a reconnect, how often the settings are asked for again until Redis answers. */
const RELOAD_RETRY_MS = 500;

// KEYS: settings hash, channel. ARGV: field, value, field, value, ...
// Returns the whole hash (field, value, ...), version included.
const UPDATE = new Script(`
if #ARGV == 0 then return redis.call('HGETALL', KEYS[1]) end
redis.call('HSET', KEYS[1], unpack(ARGV))
redis.call('HINCRBY', KEYS[1], 'version', 1)
local all = redis.call('HGETALL', KEYS[1])
redis.call('PUBLISH', KEYS[2], cjson.encode({type = 'settings', fields = all}))
return all
`);

type LabMessage =
  | { type: 'settings'; fields: string[] }
  | { type: 'drop'; id: string; transport: TransportName }
  | { type: 'dropped'; id: string; nodeId: string; dropped: number };

const PER_TRANSPORT = ['addedLatencyMs', 'jitterMs'] as const;

/** A partial update as hash fields. */
function toFields(update: LabUpdate): string[] {
  const fields: string[] = [];
  if (update.blockWebSocket !== undefined) fields.push('blockWebSocket', update.blockWebSocket ? '1' : '0');
  if (update.liftRateLimit !== undefined) fields.push('liftRateLimit', update.liftRateLimit ? '1' : '0');
  for (const group of PER_TRANSPORT) {
    for (const [name, ms] of Object.entries(update[group] ?? {})) fields.push(`${group}.${name}`, String(ms));
  }
  return fields;
}

/** The hash (field, value, ... as a script returns it, or HGETALL's record) as settings (defaults for what it lacks; anything it should not hold is ignored) and its version. */
function fromFields(fields: string[] | Record<string, string>): { version: number; settings: LabSettings } {
  const settings = defaultSettings();
  let version = 0;
  const pairs: Array<[string, string]> = Array.isArray(fields)
    ? Array.from({ length: Math.floor(fields.length / 2) }, (_, n) => [fields[2 * n]!, fields[2 * n + 1]!])
    : Object.entries(fields);
  for (const [field, value] of pairs) {
    if (field === 'version') version = Number(value);
    else if (field === 'blockWebSocket' || field === 'liftRateLimit') settings[field] = value === '1';
    else {
      const [group, name] = field.split('.') as [string, TransportName];
      const ms = Number(value);
      const known = (PER_TRANSPORT as readonly string[]).includes(group) && TRANSPORT_NAMES.includes(name);
      if (known && Number.isInteger(ms) && ms >= 0 && ms <= MAX_ADDED_MS) settings[group as (typeof PER_TRANSPORT)[number]][name] = ms;
    }
  }
  return { version, settings };
}

export class RedisLabStore implements LabStore {
  settings: LabSettings = defaultSettings();
  #version = -1;
  #closed = false;
  #dropHere: DropHandler = () => 0;
  readonly #hash: string;
  readonly #channel: string;
  /** Drops this node asked for, by request id: the answers so far and how many are expected. */
  readonly #drops = new Map<string, { answers: NodeDrop[]; expected: number; done: () => void }>();

  private constructor(
    private readonly link: RedisLink,
    private readonly nodeId: string,
  ) {
    this.#hash = link.key('lab');
    this.#channel = link.key('lab');
  }

  /** Subscribes, then reads the settings in force (so no update falls between the two). */
  static async connect(link: RedisLink, nodeId: string): Promise<RedisLabStore> {
    const store = new RedisLabStore(link, nodeId);
    await link.subscribe(store.#channel, (message) => store.#hear(message));
    await store.#reload();
    // Redis may have restarted (empty: back to the defaults) or updates passed while we were away.
    link.onReconnect(() => store.#reloadUntilDone());
    return store;
  }

  async update(update: LabUpdate): Promise<LabSettings> {
    let fields: string[];
    try {
      fields = await UPDATE.run<string[]>(this.link.commands, [this.#hash, this.#channel], toFields(update));
    } catch {
      throw new RoomUnavailableError();
    }
    const { version, settings } = fromFields(fields);
    this.#adopt(version, settings);
    return settings;
  }

  async drop(transport: TransportName): Promise<NodeDrop[]> {
    const id = randomUUID();
    const answers: NodeDrop[] = [];
    let done = (): void => {};
    const allAnswered = new Promise<void>((resolve) => (done = resolve));
    const request = { answers, expected: Number.POSITIVE_INFINITY, done };
    this.#drops.set(id, request);
    let timer: NodeJS.Timeout | undefined;
    try {
      const message: LabMessage = { type: 'drop', id, transport };
      request.expected = await this.link.commands.sendCommand<number>(['PUBLISH', this.#channel, JSON.stringify(message)]);
      if (answers.length >= request.expected) done();
      await Promise.race([allAnswered, new Promise((resolve) => (timer = setTimeout(resolve, DROP_ANSWER_WAIT_MS)))]);
    } catch {
      throw new RoomUnavailableError();
    } finally {
      clearTimeout(timer);
      this.#drops.delete(id);
    }
    return answers.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  onDrop(handler: DropHandler): void {
    this.#dropHere = handler;
  }

  close(): void {
    this.#closed = true;
    this.settings = defaultSettings();
  }

  /** Reloads, retrying every half second while Redis is not answering yet (the command connection may come back later than the subscriber). */
  #reloadUntilDone(): void {
    if (this.#closed) return;
    this.#reload().catch(() => setTimeout(() => this.#reloadUntilDone(), RELOAD_RETRY_MS).unref());
  }

  async #reload(): Promise<void> {
    const { version, settings } = fromFields(await this.link.commands.hGetAll(this.#hash));
    // A fresh read is the truth, even with a lower version (Redis came back empty).
    this.#version = -1;
    this.#adopt(version, settings);
  }

  #adopt(version: number, settings: LabSettings): void {
    if (this.#closed || version <= this.#version) return;
    this.#version = version;
    this.settings = settings;
  }

  #hear(raw: string): void {
    let message: LabMessage;
    try {
      message = JSON.parse(raw) as LabMessage;
    } catch {
      return;
    }
    if (message.type === 'settings') {
      const { version, settings } = fromFields(message.fields);
      this.#adopt(version, settings);
    } else if (message.type === 'drop' && TRANSPORT_NAMES.includes(message.transport)) {
      const dropped = this.#closed ? 0 : this.#dropHere(message.transport);
      const answer: LabMessage = { type: 'dropped', id: message.id, nodeId: this.nodeId, dropped };
      this.link.commands.sendCommand(['PUBLISH', this.#channel, JSON.stringify(answer)]).catch(() => {});
    } else if (message.type === 'dropped') {
      const request = this.#drops.get(message.id);
      if (!request) return;
      request.answers.push({ nodeId: message.nodeId, dropped: message.dropped });
      if (request.answers.length >= request.expected) request.done();
    }
  }
}
