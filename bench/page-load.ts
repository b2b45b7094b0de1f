// What `npm run bench:page` and its floor in the browser tests share: a crowd
// of real Node clients (src/client/, mixed transports) chatting into a server,
// and the frame rate of a page measured in Chromium with a
// requestAnimationFrame loop and a long-task observer.
import type { Page } from '@playwright/test';
import { TRANSPORT_NAMES } from '../src/chat/transports.js';
import { randomId } from '../src/client/base.js';
import { clientTransports } from '../src/client/index.js';
import { NODE_GLOBALS } from '../src/client/node.js';
import type { ClientTransport } from '../src/client/transport.js';

export interface Crowd {
  clients: ClientTransport[];
  /** Sends accepted so far. */
  sent(): number;
  stop(): void;
}

/**
 * `count` clients, the transports taken in turn, each sending about
 * `ratePerSec` messages a second (random gaps of 0.5-1.5 the mean, so they do not beat in step).
 */
export function startCrowd(baseUrl: string, count: number, ratePerSec = 1): Crowd {
  const meanGapMs = 1000 / ratePerSec;
  let sent = 0;
  let running = true;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const clients = Array.from({ length: count }, (_, index) => {
    const name = TRANSPORT_NAMES[index % TRANSPORT_NAMES.length]!;
    const client = clientTransports[name]({ baseUrl, ...NODE_GLOBALS, intervalMs: 1000 });
    client.connect();
    const author = `crowd-${index + 1}`;
    const sendNext = (): void => {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (!running) return;
          client.send({ clientMsgId: randomId(), author, text: `hello from ${author} over ${name}` }).then(
            () => sent++,
            () => undefined, // refused or switched off: the next one is on time anyway
          );
          sendNext();
        },
        meanGapMs * (0.5 + Math.random()),
      );
      timers.add(timer);
    };
    sendNext();
    return client;
  });
  return {
    clients,
    sent: () => sent,
    stop: () => {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      for (const client of clients) client.disconnect();
    },
  };
}

export interface FrameStats {
  /** Frames drawn per second over the window. */
  fps: number;
  /** 95th percentile of the time between two frames, ms. */
  frameP95Ms: number;
  frames: number;
  /** Tasks over 50 ms (the browser's long-task observer), and their total time. */
  longTasks: number;
  longTaskMs: number;
}

/** Counts the page's frames for `durationMs` (a requestAnimationFrame loop), with the long tasks meanwhile. */
export async function measureFrames(page: Page, durationMs: number): Promise<FrameStats> {
  const { deltas, longTasks, longTaskMs } = await page.evaluate(
    (ms) =>
      new Promise<{ deltas: number[]; longTasks: number; longTaskMs: number }>((resolve) => {
        const deltas: number[] = [];
        let longTasks = 0;
        let longTaskMs = 0;
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            longTasks++;
            longTaskMs += entry.duration;
          }
        });
        observer.observe({ type: 'longtask' });
        requestAnimationFrame((start) => {
          let last = start;
          const tick = (now: number): void => {
            deltas.push(now - last);
            last = now;
            if (now - start < ms) requestAnimationFrame(tick);
            else {
              observer.disconnect();
              resolve({ deltas, longTasks, longTaskMs });
            }
          };
          requestAnimationFrame(tick);
        });
      }),
    durationMs,
  );
  const total = deltas.reduce((sum, delta) => sum + delta, 0);
  const sorted = [...deltas].sort((a, b) => a - b);
  return {
    fps: total > 0 ? (deltas.length * 1000) / total : 0,
    frameP95Ms: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0,
    frames: deltas.length,
    longTasks,
    longTaskMs,
  };
}
