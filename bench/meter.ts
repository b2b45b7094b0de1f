// Server and load-generator counters over one measured window.
import { runQueueWaitUs } from './schedstat.js';
import type { ServerHandle, Stats } from './server-handle.js';

export interface Window {
  wallMs: number;
  serverCpuUs: number;
  /** Share of one core, in percent. */
  serverCpuPct: number;
  requests: number;
  wireBytes: number;
  loadGeneratorCpuUs: number;
  loadGeneratorCpuPct: number;
  /** Share of the window each side spent waiting for a CPU that others held: the machine's noise. */
  serverRunQueueWaitPct: number;
  loadGeneratorRunQueueWaitPct: number;
  /** Share of the window the server's event loop was busy rather than waiting for I/O (from eventLoopUtilization()). */
  serverLoopBusyPct: number;
}

export interface Meter {
  stop(): Promise<Window>;
}

export async function startMeter(server: ServerHandle): Promise<Meter> {
  const before: Stats = await server.stats();
  const harnessBefore = process.cpuUsage();
  const harnessWaitBefore = runQueueWaitUs();
  return {
    async stop() {
      const after = await server.stats();
      const harness = process.cpuUsage(harnessBefore);
      const harnessWaitUs = runQueueWaitUs() - harnessWaitBefore;
      const wallMs = after.at - before.at;
      const serverCpuUs = after.cpuUs - before.cpuUs;
      return {
        wallMs,
        serverCpuUs,
        serverCpuPct: (serverCpuUs / 1000 / wallMs) * 100,
        requests: after.requests - before.requests,
        wireBytes: after.bytesRead - before.bytesRead + (after.bytesWritten - before.bytesWritten),
        loadGeneratorCpuUs: harness.user + harness.system,
        loadGeneratorCpuPct: ((harness.user + harness.system) / 1000 / wallMs) * 100,
        serverRunQueueWaitPct: ((after.runQueueWaitUs - before.runQueueWaitUs) / 1000 / wallMs) * 100,
        serverLoopBusyPct: loopBusyPct(before, after),
        loadGeneratorRunQueueWaitPct: (harnessWaitUs / 1000 / wallMs) * 100,
      };
    },
  };
}

function loopBusyPct(before: Stats, after: Stats): number {
  const active = after.loopActiveMs - before.loopActiveMs;
  const idle = after.loopIdleMs - before.loopIdleMs;
  return active + idle > 0 ? (active / (active + idle)) * 100 : 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 20 ms; false if `timeoutMs` passed first. */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
