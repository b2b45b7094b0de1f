// Auto-send: a probe every N ms on average, from each switched-on pane in
// turn, so the counters fill without anyone typing.
//
// The gaps are random (0.5N-1.5N): a probe at a fixed period equal to the
// short-poll interval would always land at the same point of the poll cycle
// and show one fixed latency instead of the T/2 average the page explains.
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
      this.intervalMs * (0.5 + Math.random()),
    );
  }

  #sendProbe(): void {
    const senders = [...this.lab.controllers.values()].filter((controller) => controller.on);
    if (senders.length === 0) return;
    const sender = senders[this.#turn++ % senders.length]!;
    void sender.send(`probe ${++this.#probes}`);
  }
}
