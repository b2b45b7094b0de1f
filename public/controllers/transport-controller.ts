// One pane's client: owns a real ClientTransport from the registry, turns its
// events into what the pane shows (messages, status, catch-up notice, latency)
// and asks the pane to re-render, at most once per animation frame.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Message } from '../../src/chat/message.js';
import type { TransportName } from '../../src/chat/transports.js';
import { randomId, SendRefused } from '../../src/client/base.js';
import { clientTransports, type ClientTransport, type ClientTransportOptions } from '../../src/client/index.js';
import type { SyncInfo, TrafficCounters, WireEntry } from '../../src/client/transport.js';
import type { Lab } from '../lab.js';
import { LatencyStats } from '../latency/latency-stats.js';

/** Messages kept on screen per pane: enough to read, few enough for 100 msg/s. */
export const MAX_SHOWN_MESSAGES = 200;
/** Traffic counters change without events (empty polls): refresh this often. */
const REFRESH_MS = 500;

export interface ShownMessage extends Message {
  /** How long this message took to reach this pane, when this page sent it (from any pane). */
  latencyMs: number | undefined;
}

type TransportSettings = Pick<ClientTransportOptions, 'intervalMs' | 'waitMs' | 'socketioMode'>;

export class TransportController implements ReactiveController {
  transport: ClientTransport;
  messages: ShownMessage[] = [];
  /** What the last (re)connect or reset did, e.g. "Caught up: 3 messages". */
  notice = '';
  /** The last error from the server or a refused send. */
  error = '';
  /** The user's on/off switch (the transport may be reconnecting while on). */
  on = true;
  readonly stats = new LatencyStats();
  /** From the last (re)connect to its first catch-up (welcome frame or first poll reply), in ms. */
  timeToFirstMessageMs: number | undefined;
  #connectingSince: number | undefined;
  #trafficBaseline: TrafficCounters;
  #unsubscribe: Array<() => void> = [];
  #frame: number | undefined;
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
    this.#refreshTimer = setInterval(() => this.host.requestUpdate(), REFRESH_MS);
  }

  hostDisconnected(): void {
    this.lab.controllers.delete(this.name);
    clearInterval(this.#refreshTimer);
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
    this.host.requestUpdate();
  }

  async send(text: string): Promise<void> {
    const clientMsgId = randomId();
    const sentAt = this.lab.clock.markSent(clientMsgId, this.name);
    try {
      await this.transport.send({ clientMsgId, author: this.lab.nickname, text });
      this.lab.clock.recordRoundTrip(this.name, performance.now() - sentAt);
      this.error = '';
    } catch (error) {
      this.error = error instanceof SendRefused ? error.error.message : String(error);
    }
    this.#scheduleUpdate();
  }

  resetStats(): void {
    this.stats.reset();
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
        if (status === 'off') this.#connectingSince = undefined;
        this.#scheduleUpdate();
      }),
      transport.on('reset', () => {
        this.messages = [];
        // A poll can meet the new server without a reconnect (so without a sync): say it now.
        this.notice = RESTARTED;
        this.#serverRestarted = true;
        this.#scheduleUpdate();
      }),
      transport.on('sync', (info) => {
        if (this.#connectingSince !== undefined) this.timeToFirstMessageMs = performance.now() - this.#connectingSince;
        this.#connectingSince = undefined;
        this.notice = syncNotice(info, this.#serverRestarted);
        this.#serverRestarted = false;
        this.#scheduleUpdate();
      }),
      transport.on('error', (error) => {
        this.error = error.message;
        this.#scheduleUpdate();
      }),
      transport.on('wire', (entry) => this.#onWire(entry)),
    ];
  }

  #stopListening(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
  }

  #onMessage(message: Message): void {
    const timing = this.lab.clock.timingOf(message.clientMsgId);
    const latencyMs = timing?.ms;
    if (timing && (this.lab.measure === 'any' || timing.sender === this.name)) this.stats.record(timing.ms);
    // A new array, so the pane's list sees a change; the oldest fall off.
    this.messages = [...this.messages.slice(-(MAX_SHOWN_MESSAGES - 1)), { ...message, latencyMs }];
    this.#scheduleUpdate();
  }

  /** Into the page's timeline; a request answered at once also gives the expected figure its round trip. */
  #onWire(entry: WireEntry): void {
    this.lab.wire.add(this.name, entry);
    if (entry.roundTrip && entry.endAt !== undefined && typeof entry.status === 'number' && entry.status < 400) {
      this.lab.clock.recordRoundTrip(this.name, entry.endAt - entry.at);
    }
  }

  /** Many events in one frame cost one render. */
  #scheduleUpdate(): void {
    if (this.#frame !== undefined) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = undefined;
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
