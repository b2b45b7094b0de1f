// Auto-send: a probe every N ms, from each switched-on pane in turn, so the
// counters fill without anyone typing.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Lab } from '../lab.js';

export class AutoSendController implements ReactiveController {
  intervalMs = 1000;
  #timer: ReturnType<typeof setInterval> | undefined;
  #turn = 0;
  #probes = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly lab: Lab,
  ) {
    host.addController(this);
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(intervalMs = this.intervalMs): void {
    this.stop();
    this.intervalMs = intervalMs;
    this.#timer = setInterval(() => this.#sendProbe(), intervalMs);
    this.host.requestUpdate();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.host.requestUpdate();
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  #sendProbe(): void {
    const senders = [...this.lab.controllers.values()].filter((controller) => controller.on);
    if (senders.length === 0) return;
    const sender = senders[this.#turn++ % senders.length]!;
    void sender.send(`probe ${++this.#probes}`);
  }
}
