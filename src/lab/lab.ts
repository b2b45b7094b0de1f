// The workshop lab: the presenter's settings, the delay queues that apply
// them, what each transport can be asked (drop, gauges) and the wire stats.
// Transports get it through their TransportContext; it knows none of them.
// The settings and the drop go through a LabStore: this process's own, or
// one shared by every node of a cluster through Redis.
import type { TransportName } from '../chat/transports.js';
import { DelayQueue } from './delay-queue.js';
import type { LabStore, NodeDrop } from './lab-store.js';
import { clusterView, LocalStatsExchange, type StatsExchange } from './node-stats.js';
import type { Presence } from './presence.js';
import type { LabSettings, LabUpdate } from './settings.js';
import { WireStats, type Gauges, type NodeSample, type StatsSample } from './stats.js';

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
  /** Connections cut, on every node. */
  dropped: number;
  note: string;
  /** Each node's part (one entry without Redis). */
  nodes: NodeDrop[];
}

export interface LabOptions {
  presenterToken: string;
  nodeId: string;
  /** Where the settings live and how drops reach the connections (this process's own, or the cluster's). */
  store: LabStore;
  /** How the nodes of a cluster see each other's stats (absent: this node alone). */
  statsExchange?: StatsExchange;
  /** Counts this node's participants (default: in memory). */
  presence?: Presence;
  /** Counts the participants of every node together (a client seen by two nodes once); absent: the nodes' counts add up. */
  clusterPresence?: Presence;
}

/** GET /api/stats: the cluster view, the node that answers, and each node's own sample. */
export type StatsView = StatsSample & { nodeId: string; nodes: NodeSample[] };

export class Lab {
  readonly stats: WireStats;
  readonly presenterToken: string;
  readonly nodeId: string;
  readonly #store: LabStore;
  readonly #statsExchange: StatsExchange;
  /** Every live node's latest sample, as of the last exchange. */
  #nodes: NodeSample[] = [];
  readonly #attachments = new Map<TransportName, LabAttachment>();
  /** Per transport, per direction (looked up on every HTTP request: no key string to build). */
  readonly #queues = new Map<TransportName, Partial<Record<'in' | 'out', DelayQueue>>>();

  constructor(options: LabOptions) {
    this.presenterToken = options.presenterToken;
    this.nodeId = options.nodeId;
    this.#store = options.store;
    this.#statsExchange = options.statsExchange ?? new LocalStatsExchange();
    this.stats = new WireStats(options.presence, options.clusterPresence);
    this.#store.onDrop((name) => this.dropHere(name));
    this.stats.onSample((sample) => {
      this.#statsExchange.share({ nodeId: this.nodeId, ...sample }).then(
        (nodes) => (this.#nodes = nodes),
        () => (this.#nodes = []), // Redis unreachable: this node alone until it is back
      );
    });
  }

  /** The cluster view from every node's latest sample, this node's freshest. */
  statsView(): StatsView {
    const own: NodeSample = { nodeId: this.nodeId, ...this.stats.last };
    const nodes = [own, ...this.#nodes.filter((node) => node.nodeId !== this.nodeId)].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    return { ...clusterView(nodes, own, this.stats.lastClusterParticipants), nodeId: this.nodeId, nodes };
  }

  /** The settings in force on this node. */
  get settings(): LabSettings {
    return this.#store.settings;
  }

  /** Changes the settings on every node. */
  update(update: LabUpdate): Promise<LabSettings> {
    return this.#store.update(update);
  }

  /** One FIFO queue per transport and direction: `in` = client to server, `out` = server to client. */
  queue(name: TransportName, direction: 'in' | 'out'): DelayQueue {
    let queues = this.#queues.get(name);
    if (!queues) this.#queues.set(name, (queues = {}));
    return (queues[direction] ??= new DelayQueue(() => this.settings.addedLatencyMs[name] + Math.random() * this.settings.jitterMs[name]));
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

  /** Cuts every connection of `name` on every node. */
  async drop(name: TransportName): Promise<DropResult> {
    const nodes = await this.#store.drop(name);
    const dropped = nodes.reduce((sum, node) => sum + node.dropped, 0);
    if (!this.#attachments.get(name)?.drop) {
      return { transport: name, dropped, nodes, note: `${name} holds no connection between requests: there is nothing to drop` };
    }
    const where = nodes.length > 1 ? ` on ${nodes.length} nodes` : '';
    const note = `${dropped} connection${dropped === 1 ? '' : 's'} cut${where}; clients reconnect and catch up from their cursors`;
    return { transport: name, dropped, nodes, note };
  }

  /** Cuts every connection of `name` on this node; returns how many. */
  dropHere(name: TransportName): number {
    return this.#attachments.get(name)?.drop?.() ?? 0;
  }

  /** Shutdown: nothing waits any more, so held replies and last frames go out at once. */
  close(): void {
    this.stats.stop();
    this.#store.close();
    this.#statsExchange.leave(this.nodeId);
    for (const queues of this.#queues.values()) for (const queue of Object.values(queues)) queue.flush();
  }
}
