// The messages between the harness and a server process it forked.

/** Server -> harness, once listening. */
export interface ReadyMessage {
  type: 'ready';
  port: number;
}

/** Server -> harness, in answer to a `stats` request. */
export interface StatsMessage {
  type: 'stats';
  /** process.cpuUsage() since the process started, in microseconds (user + system). */
  cpuUs: number;
  rssBytes: number;
  /** Time the server's main thread waited for a CPU, in microseconds (see schedstat.ts). */
  runQueueWaitUs: number;
  /** performance.eventLoopUtilization() since the process started: ms its event loop was busy, and idle (waiting for I/O). */
  loopActiveMs: number;
  loopIdleMs: number;
  /** HTTP requests seen (upgrades excluded). */
  requests: number;
  /** Sum over every accepted socket, closed ones included, upgraded ones included. */
  bytesRead: number;
  bytesWritten: number;
  /** Open sockets right now. */
  sockets: number;
}

/** Harness -> server. `gc` first makes RSS figures comparable between runs. */
export interface StatsRequest {
  type: 'stats';
  gc?: boolean;
}
