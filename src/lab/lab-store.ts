// Where the lab's settings live and how its actions reach the connections:
// `LocalLabStore` for one process (the default), `RedisLabStore`
// (src/cluster/redis-lab-store.ts) for every node sharing a room in Redis.
// The Lab sees only this interface.
import type { TransportName } from '../chat/transports.js';
import { applyUpdate, defaultSettings, type LabSettings, type LabUpdate } from './settings.js';

/** What one node cut for a drop. */
export interface NodeDrop {
  nodeId: string;
  dropped: number;
}

/** A node's own drop: cuts its connections of the transport, returns how many. */
export type DropHandler = (transport: TransportName) => number;

export interface LabStore {
  /** The settings in force on this node now (read for every message, so never a round trip). */
  readonly settings: LabSettings;
  /** Applies a partial update on every node; resolves with the whole new settings. */
  update(update: LabUpdate): Promise<LabSettings>;
  /** Every node (this one included) runs its drop handler; resolves with each node's count. */
  drop(transport: TransportName): Promise<NodeDrop[]>;
  /** How this node drops its own connections (the Lab sets it once). */
  onDrop(handler: DropHandler): void;
  /** Shutdown: this node's settings go back to the defaults (nothing delayed any more) and it stops listening. */
  close(): void;
}

export class LocalLabStore implements LabStore {
  settings: LabSettings = defaultSettings();
  #dropHere: DropHandler = () => 0;

  constructor(private readonly nodeId: string) {}

  // eslint-disable-next-line @typescript-eslint/require-await
  async update(update: LabUpdate): Promise<LabSettings> {
    this.settings = applyUpdate(this.settings, update);
    return this.settings;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async drop(transport: TransportName): Promise<NodeDrop[]> {
    return [{ nodeId: this.nodeId, dropped: this.#dropHere(transport) }];
  }

  onDrop(handler: DropHandler): void {
    this.#dropHere = handler;
  }

  close(): void {
    this.settings = defaultSettings();
  }
}
