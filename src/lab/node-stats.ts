// /api/stats in a cluster: each node's own sample and the cluster view made
// from them. A StatsExchange carries the samples between nodes: in one
// process there is only this node's (LocalStatsExchange); with Redis every
// node's (src/cluster/redis-stats-exchange.ts).
import { TRANSPORT_NAMES, type TransportName } from '../chat/transports.js';
import type { NodeSample, StatsSample, TransportStats } from './stats.js';

export interface StatsExchange {
  /** Publishes this node's latest sample; resolves with the latest of every live node, this one's included. */
  share(sample: NodeSample): Promise<NodeSample[]>;
  /** Shutdown: the other nodes stop counting this one. */
  leave(nodeId: string): void;
}

export class LocalStatsExchange implements StatsExchange {
  share(sample: NodeSample): Promise<NodeSample[]> {
    return Promise.resolve([sample]);
  }

  leave(): void {}
}

type Totals = TransportStats['totals'];

/**
 * The cluster's figures from its nodes': counts and rates added up, except
 * messages, which every node hears (each reads the whole room): the highest
 * node's count (the others may be a moment behind); and participants, when
 * `participants` counts them across the nodes (a client whose polls two nodes
 * answer is one participant, not two). The empty-poll share is weighted by
 * each node's polls; CPU shares add up (2 = two cores busy).
 */
export function clusterView(nodes: NodeSample[], own: StatsSample, participants?: Record<TransportName, number>): StatsSample {
  const sum = (pick: (sample: NodeSample) => number): number => nodes.reduce((total, node) => total + pick(node), 0);
  const max = (pick: (sample: NodeSample) => number): number => Math.max(0, ...nodes.map(pick));
  const transports = Object.fromEntries(
    TRANSPORT_NAMES.map((name): [TransportName, TransportStats] => {
      const of = (sample: NodeSample): TransportStats => sample.transports[name];
      const polls = sum((node) => of(node).pollsPerSec);
      const emptyPolls = sum((node) => (of(node).emptyPollShare ?? 0) * of(node).pollsPerSec);
      const totals = Object.fromEntries(
        (Object.keys(own.transports[name].totals) as Array<keyof Totals>).map((key) => [
          key,
          (key === 'messages' ? max : sum)((node) => of(node).totals[key]),
        ]),
      ) as unknown as Totals;
      return [
        name,
        {
          connections: sum((node) => of(node).connections),
          heldPolls: sum((node) => of(node).heldPolls),
          participants: participants?.[name] ?? sum((node) => of(node).participants),
          requestsPerSec: sum((node) => of(node).requestsPerSec),
          pollsPerSec: polls,
          emptyPollShare: polls > 0 ? emptyPolls / polls : null,
          messagesPerSec: max((node) => of(node).messagesPerSec),
          wireBytesOutPerSec: sum((node) => of(node).wireBytesOutPerSec),
          payloadBytesOutPerSec: sum((node) => of(node).payloadBytesOutPerSec),
          wireBytesInPerSec: sum((node) => of(node).wireBytesInPerSec),
          totals,
        },
      ];
    }),
  ) as Record<TransportName, TransportStats>;
  return { at: own.at, intervalMs: own.intervalMs, cpuShare: sum((node) => node.cpuShare), transports };
}
