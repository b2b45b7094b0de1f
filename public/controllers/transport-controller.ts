// One pane's client: owns a real ClientTransport from the registry, turns its
// events into what the pane shows (messages, status, catch-up notice, latency)
// and asks the pane to re-render, at most four times a second.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Message } from '../../src/chat/message.js';
import { descriptorOf, type TransportName } from '../../src/chat/transports.js';
import { randomId, SendRefused } from '../../src/client/base.js';
import { clientTransports, type ClientTransport, type ClientTransportOptions } from '../../src/client/index.js';
import type { SendRetry, SyncInfo, TrafficCounters, WireEntry } from '../../src/client/transport.js';
import type { Lab } from '../lab.js';
import { LatencyStats } from '../latency/latency-stats.js';

/** Messages kept per pane: a few screens to scroll back through, few enough that a lively room's list stays cheap to lay out. */
export const MAX_SHOWN_MESSAGES = 50;
/**
 * A pane redraws (figures, notes and list together) at most this often: in a
 * lively room messages come far faster than anyone reads them, and each
 * redraw lays out and paints the pane again. Latency is still taken when a
 * message arrives. What a user waits for shows at once (#redrawNow).
 */
const RENDER_EVERY_MS = 250;
/** Sends shown as pending at most (a blocked pane auto-sending queues many): the newest. */
export const MAX_SHOWN_PENDING = 20;
/** Traffic counters change without events (empty polls): refresh this often. */
const REFRESH_MS = 500;

export interface ShownMessage extends Message {
  /** How long this message took to reach this pane, when this page sent it (from any pane). */
  latencyMs: number | undefined;
}

/** A send not yet acknowledged by the server: shown with a pending sign until its ack. */
export interface PendingSend {
  clientMsgId: string;
  text: string;
  /** The last failed attempt's reason and when the next one goes (performance.now() ms); undefined while the first is on its way. */
  retry: SendRetry | undefined;
  /** The server has it; it stays listed until it comes back to this pane (a short poll may take a while). */
  acked: boolean;
}

/** An acknowledged send that never comes back (switched off meanwhile) leaves the list after this. */
const ACKED_SHOWN_MS = 30_000;

type TransportSettings = Pick<ClientTransportOptions, 'intervalMs' | 'waitMs' | 'socketioMode'>;

export class TransportController implements ReactiveController {
  transport: ClientTransport;
  messages: ShownMessage[] = [];
  /** Sends on their way, oldest first (insertion order), until the server acknowledges each. */
  readonly pending = new Map<string, PendingSend>();
  /** How many sends wait in all (the list shows the newest MAX_SHOWN_PENDING). */
  get pendingCount(): number {
    return this.pending.size;
  }
  /** What the last (re)connect or reset did, e.g. "Caught up: 3 messages". */
  notice = '';
  /** The last error from the server or a refused send. */
  error = '';
  /** The user's on/off switch (the transport may be reconnecting while on). */
  on = true;
  readonly stats = new LatencyStats();
  /** Every message of the room (anyone's), from the server receiving it to its arrival here, once the clocks are matched. */
  readonly roomStats = new LatencyStats();
  /** Between a (re)connect and its sync the messages are a catch-up: old, not timed for the room. */
  #catchingUp = true;
  /** From the last (re)connect to its first catch-up (welcome frame or first poll reply), in ms. */
  timeToFirstMessageMs: number | undefined;
  #connectingSince: number | undefined;
  #trafficBaseline: TrafficCounters;
  #unsubscribe: Array<() => void> = [];
  #frame: number | undefined;
  #renderedAt = -Infinity;
  #renderTimer: ReturnType<typeof setTimeout> | undefined;
  /** Messages received since the last redraw: applied to the list in one go. */
  #incoming: ShownMessage[] = [];
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  /** A reset event came on this connection: its sync says so. */
  #serverRestarted = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly name: TransportName,
    private readonly lab: Lab,
    private settings: TransportSettings,
  ) {
    this.transport = this.#create();
    this.#trafficBaseline = { ...this.transport.traffic };
    host.addController(this);
  }

  hostConnected(): void {
    this.lab.controllers.set(this.name, this);
    this.#listen();
    if (this.on) this.transport.connect();
    this.#refreshTimer = setInterval(() => this.#scheduleUpdate(), REFRESH_MS);
  }

  hostDisconnected(): void {
    this.lab.controllers.delete(this.name);
    clearInterval(this.#refreshTimer);
    clearTimeout(this.#renderTimer);
    this.#renderTimer = undefined;
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#frame = undefined;
    this.#stopListening();
    this.transport.disconnect();
  }

  setOn(on: boolean): void {
    this.on = on;
    if (on) this.transport.connect();
    else this.transport.disconnect();
    this.host.requestUpdate();
  }

  /**
   * Starts a new transport with other settings (Socket.IO's mode is fixed per
   * connection); it resumes from the old one's cursor, so nothing is missed or shown twice.
   */
  reconfigure(settings: TransportSettings): void {
    this.settings = { ...this.settings, ...settings };
    const previous = this.transport;
    this.#stopListening();
    previous.disconnect();
    this.transport = this.#create(previous);
    this.#trafficBaseline = { ...this.transport.traffic };
    this.#listen();
    if (this.on) this.transport.connect();
    this.restartFigures();
  }

  async send(text: string): Promise<void> {
    const clientMsgId = randomId();
    const sentAt = this.lab.clock.markSent(clientMsgId, this.name);
    const pending: PendingSend = { clientMsgId, text, retry: undefined, acked: false };
    this.pending.set(clientMsgId, pending);
    this.#redrawNow();
    try {
      await this.transport.send({ clientMsgId, author: this.lab.nickname, text });
      // A retried send's time includes its waits: only a first-time ack is one round trip.
      if (!pending.retry) this.lab.clock.recordRoundTrip(this.name, performance.now() - sentAt);
      pending.acked = true;
      setTimeout(() => this.#settled(clientMsgId), ACKED_SHOWN_MS);
      this.error = '';
    } catch (error) {
      this.error = error instanceof SendRefused ? error.error.message : String(error);
      this.pending.delete(clientMsgId);
    }
    this.#scheduleUpdate();
  }

  /** New conditions for this pane (a knob, a lab setting): its latency figures start over; traffic and chart go on. */
  restartFigures(): void {
    this.stats.restart();
    this.roomStats.restart();
    this.host.requestUpdate();
  }

  /**
   * What the pane says about its connection now: the last sync while open,
   * otherwise what is happening (reconnecting and why, switched off), so a
   * blocked pane never keeps saying "In sync".
   */
  get stateNote(): string {
    const { status, detail } = this.transport;
    if (status === 'open') return this.notice;
    if (status === 'off') return 'Switched off: messages sent meanwhile are caught up when it is back on';
    if (status === 'connecting') return 'Connecting…';
    // A POST send does not need the receiving connection; a socket's does.
    const sends = descriptorOf(this.name).send === 'post' ? 'sends still go out by POST' : 'sends wait and go out when it is back';
    return `Not connected, retrying${detail ? ` (${detail})` : ''}: ${sends}`;
  }

  /** The latest retry time among the unacknowledged sends that are rate limited, if any: "limited until …". */
  get rateLimitedUntil(): number | undefined {
    let until: number | undefined;
    for (const { retry, acked } of this.pending.values()) {
      if (!acked && retry?.reason === 'rate_limited') until = Math.max(until ?? 0, retry.retryAt);
    }
    return until;
  }

  /** A pending send is done: it came back to this pane (or never will). */
  #settled(clientMsgId: string): void {
    if (this.pending.delete(clientMsgId)) this.#scheduleUpdate();
  }

  resetStats(): void {
    this.stats.reset();
    this.roomStats.reset();
    this.#trafficBaseline = { ...this.transport.traffic };
    this.host.requestUpdate();
  }

  /** Counters since the transport started or since the last reset. */
  get traffic(): TrafficCounters {
    const now = this.transport.traffic;
    const base = this.#trafficBaseline;
    return {
      requests: now.requests - base.requests,
      emptyPolls: now.emptyPolls - base.emptyPolls,
      messagesIn: now.messagesIn - base.messagesIn,
      messagesOut: now.messagesOut - base.messagesOut,
      bytesIn: now.bytesIn - base.bytesIn,
      bytesOut: now.bytesOut - base.bytesOut,
    };
  }

  #create(resumeFrom?: ClientTransport): ClientTransport {
    return clientTransports[this.name]({
      baseUrl: this.lab.baseUrl,
      ...this.settings,
      // Undefined joins live; a replaced transport continues where the old one was.
      ...(resumeFrom?.cursor !== undefined && { since: resumeFrom.cursor }),
      ...(resumeFrom?.epoch !== undefined && { epoch: resumeFrom.epoch }),
      // The same client to the server (one participant, one send budget), whatever its settings.
      ...(resumeFrom && { clientId: resumeFrom.clientId }),
    });
  }

  #listen(): void {
    const transport = this.transport;
    this.#unsubscribe = [
      transport.on('message', (message) => this.#onMessage(message)),
      transport.on('status', (status) => {
        // A new connection starts: what the last one saw is no news for its sync.
        if (status !== 'open') this.#serverRestarted = false;
        if (status === 'connecting' || status === 'reconnecting') this.#connectingSince ??= performance.now();
        if (status !== 'open') this.#catchingUp = true;
        if (status === 'off') this.#connectingSince = undefined;
        this.#redrawNow();
      }),
      transport.on('reset', () => {
        this.messages = [];
        this.#incoming = [];
        // A poll can meet the new server without a reconnect (so without a sync): say it now.
        this.notice = RESTARTED;
        this.#serverRestarted = true;
        this.#scheduleUpdate();
      }),
      transport.on('sync', (info) => {
        if (this.#connectingSince !== undefined) this.timeToFirstMessageMs = performance.now() - this.#connectingSince;
        this.#connectingSince = undefined;
        this.#catchingUp = false;
        this.notice = syncNotice(info, this.#serverRestarted);
        this.#serverRestarted = false;
        this.#redrawNow();
      }),
      transport.on('error', (error) => {
        this.error = error.message;
        this.#scheduleUpdate();
      }),
      transport.on('wire', (entry) => this.#onWire(entry)),
      transport.on('sendRetry', (retry) => {
        const pending = this.pending.get(retry.clientMsgId);
        if (pending) pending.retry = retry;
        this.#scheduleUpdate();
      }),
    ];
  }

  #stopListening(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
  }

  #onMessage(message: Message): void {
    const timing = this.lab.clock.timingOf(message.clientMsgId);
    const latencyMs = timing?.ms;
    const arrivedAt = Date.now();
    if (timing?.sender === this.name) this.lab.serverClock.observe(arrivedAt - timing.ms, message.at, arrivedAt);
    const sinceServer = this.#catchingUp ? undefined : this.lab.serverClock.sinceServer(message.at, arrivedAt);
    if (sinceServer !== undefined) this.roomStats.record(sinceServer);
    if (timing && (this.lab.measure === 'any' || timing.sender === this.name)) this.stats.record(timing.ms);
    this.#incoming.push({ ...message, latencyMs });
    this.pending.delete(message.clientMsgId);
    // No frame while the tab is hidden: keep no more than the list would.
    if (this.#incoming.length > MAX_SHOWN_MESSAGES) this.#incoming.splice(0, this.#incoming.length - MAX_SHOWN_MESSAGES);
    this.#scheduleUpdate();
  }

  /** The messages since the last redraw in one go: a new array (so the pane's list sees a change), the oldest fall off. */
  #applyIncoming(): void {
    if (this.#incoming.length === 0) return;
    this.messages = [...this.messages, ...this.#incoming].slice(-MAX_SHOWN_MESSAGES);
    this.#incoming = [];
  }

  /** Into the page's timeline; a request answered at once also gives the expected figure its round trip. */
  #onWire(entry: WireEntry): void {
    this.lab.wire.add(this.name, entry);
    if (entry.roundTrip && entry.endAt !== undefined && typeof entry.status === 'number' && entry.status < 400) {
      this.lab.clock.recordRoundTrip(this.name, entry.endAt - entry.at);
    }
  }

  /** Every event until the next redraw costs one render: on an animation frame, at most every RENDER_EVERY_MS. */
  #scheduleUpdate(): void {
    if (this.#frame !== undefined || this.#renderTimer !== undefined) return;
    const waitMs = this.#renderedAt + RENDER_EVERY_MS - performance.now();
    if (waitMs <= 0) {
      this.#redrawNextFrame();
      return;
    }
    this.#renderTimer = setTimeout(() => {
      this.#renderTimer = undefined;
      this.#redrawNextFrame();
    }, waitMs);
  }

  /**
   * Not at the next redraw: a status change (a reconnect shorter than
   * RENDER_EVERY_MS must still flicker), a sync's notice, this page's own
   * send. The messages that came before it show with it, so a "Caught up"
   * notice never stands above a list that lacks what it counts.
   */
  #redrawNow(): void {
    this.#applyIncoming();
    this.host.requestUpdate();
  }

  #redrawNextFrame(): void {
    this.#frame = requestAnimationFrame(() => {
      this.#frame = undefined;
      this.#renderedAt = performance.now();
      this.#applyIncoming();
      this.host.requestUpdate();
    });
  }
}

const RESTARTED = 'The server restarted: list cleared';

/** What a pane says after a (re)connect has delivered its backlog. */
function syncNotice(info: SyncInfo, serverRestarted: boolean): string {
  const caughtUp = `${info.caughtUp} message${info.caughtUp === 1 ? '' : 's'}`;
  if (serverRestarted) return `${RESTARTED}, ${caughtUp} since`;
  if (info.reset) return `Away longer than the server's history: some messages were missed, ${caughtUp} caught up`;
  return info.caughtUp > 0 ? `Caught up: ${caughtUp} missed while away` : 'In sync';
}
