// The workshop lab: the presenter's settings, the delay queues that apply
// them, what each transport can be asked (drop, gauges) and the wire stats.
// Transports get it through their TransportContext; it knows none of them.
import type { TransportName } from '../chat/transports.js';
import { DelayQueue } from './delay-queue.js';
import { applyUpdate, defaultSettings, type LabSettings, type LabUpdate } from './settings.js';
import type { Presence } from './presence.js';
import { WireStats, type Gauges } from './stats.js';

export interface LabAttachment extends Gauges {
  /** Cuts every connection of the transport now; returns how many. Absent: it holds none. */
  drop?: () => number;
  /** Requests under this path belong to the transport (accounting). */
  httpPrefix?: string;
  /** Apply added latency to those requests and responses (else the transport does it per message). */
  delayHttp?: boolean;
}

export interface DropResult {
  transport: TransportName;
  dropped: number;
  note: string;
}

export class Lab {
  settings: LabSettings = defaultSettings();
  readonly stats: WireStats;
  readonly #attachments = new Map<TransportName, LabAttachment>();
  readonly #queues = new Map<string, DelayQueue>();

  /** `presence` counts the participants (default: in memory, this node only). */
  constructor(
    readonly presenterToken: string,
    presence?: Presence,
  ) {
    this.stats = new WireStats(presence);
  }

  update(update: LabUpdate): LabSettings {
    this.settings = applyUpdate(this.settings, update);
    return this.settings;
  }

  /** One FIFO queue per transport and direction: `in` = client to server, `out` = server to client. */
  queue(name: TransportName, direction: 'in' | 'out'): DelayQueue {
    const key = `${name} ${direction}`;
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = new DelayQueue(() => this.settings.addedLatencyMs[name] + Math.random() * this.settings.jitterMs[name]);
      this.#queues.set(key, queue);
    }
    return queue;
  }

  attach(name: TransportName, attachment: LabAttachment): void {
    this.#attachments.set(name, attachment);
    this.stats.setGauges(name, attachment);
  }

  /** The transport whose HTTP prefix `url` is under. */
  httpTransportOf(url: string): { name: TransportName; attachment: LabAttachment } | undefined {
    for (const [name, attachment] of this.#attachments) {
      if (attachment.httpPrefix && url.startsWith(attachment.httpPrefix)) return { name, attachment };
    }
    return undefined;
  }

  drop(name: TransportName): DropResult {
    const drop = this.#attachments.get(name)?.drop;
    if (!drop) return { transport: name, dropped: 0, note: `${name} holds no connection between requests: there is nothing to drop` };
    const dropped = drop();
    const note = `${dropped} connection${dropped === 1 ? '' : 's'} cut; clients reconnect and catch up from their cursors`;
    return { transport: name, dropped, note };
  }

  /** Shutdown: nothing waits any more, so held replies and last frames go out at once. */
  close(): void {
    this.stats.stop();
    this.settings = defaultSettings();
    for (const queue of this.#queues.values()) queue.flush();
  }
}
