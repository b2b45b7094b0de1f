// Auto-send: a probe every N ms on average, from each switched-on pane in
// turn, so the counters fill without anyone typing.
//
// The gaps are exponential (a Poisson process, at most 4N): a probe is as
// likely at any moment, so probes land at random points of the poll cycle and
// show the T/2 average the page explains. Gaps spread evenly over 0.5N-1.5N
// were not enough: with five panes taking turns a pane's own gap (the sum of
// five) varied by only 13 %, and when it came near T or T/2 its probes kept
// landing at the same points of the cycle (seen: short polling's p50 held
// near 1 s for 30 s at T = 5 s, N = 500 ms).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Lab } from '../lab.js';

export class AutoSendController implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #turn = 0;
  #probes = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lab: Lab,
    /** The average gap between probes. */
    public intervalMs = 1000,
  ) {
    host.addController(this);
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(intervalMs = this.intervalMs): void {
    this.stop();
    this.intervalMs = intervalMs;
    this.#scheduleNext();
    this.host.requestUpdate();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.host.requestUpdate();
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  #scheduleNext(): void {
    this.#timer = setTimeout(
      () => {
        this.#sendProbe();
        this.#scheduleNext();
      },
      Math.min(4, -Math.log(1 - Math.random())) * this.intervalMs,
    );
  }

  #sendProbe(): void {
    const senders = [...this.lab.controllers.values()].filter((controller) => controller.on);
    if (senders.length === 0) return;
    const sender = senders[this.#turn++ % senders.length]!;
    void sender.send(`probe ${++this.#probes}`);
  }
}
