// How long this process's main thread has waited for a CPU (Linux
// /proc/self/schedstat, field 2): time other processes took from it. On a
// shared machine this tells a slow result from a slow neighbour.
import { readFileSync } from 'node:fs';

/** Microseconds spent runnable but not running; 0 where the kernel does not say. */
export function runQueueWaitUs(): number {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1000 || 0;
  } catch {
    return 0;
  }
}
