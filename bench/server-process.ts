// Our server, as `npm start` builds it, in its own process for the benchmark.
import { buildServer, type BuildOptions } from '../src/server.js';
import { serveWithStats } from './serve-stats.js';

/** Server options for benchmark runs: limits that would cap a capacity sweep are lifted here. */
export const BENCH_SERVER_OPTIONS: BuildOptions = {
  logLevel: 'silent',
  longPollMaxHeld: 1_000_000,
  // One sender at full speed and thousands of clients from one address: the
  // workshop limits would be the thing measured.
  rateLimit: false,
  maxConnectionsPerIp: 1_000_000,
  longPollMaxHeldPerIp: 1_000_000,
};

const app = await buildServer(BENCH_SERVER_OPTIONS);
await app.ready();
await serveWithStats(app.server);
