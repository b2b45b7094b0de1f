// Added latency without reordering: every task is due at
// max(previous task's due time, now + delay), and one timer runs the queue
// head first, so tasks leave in the order they came.
export class DelayQueue {
  #tasks: Array<{ due: number; run: () => void }> = [];
  #lastDue = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `delayMs` is asked once per task (latency plus a fresh random jitter). */
  constructor(private readonly delayMs: () => number) {}

  push(run: () => void): void {
    const delay = this.delayMs();
    // The common case (no impairment, nothing waiting) costs nothing.
    if (delay <= 0 && this.#tasks.length === 0) return run();
    const due = Math.max(this.#lastDue, performance.now() + delay);
    this.#lastDue = due;
    this.#tasks.push({ due, run });
    if (this.#tasks.length === 1) this.#arm();
  }

  /** True when nothing waits and no latency is set: a task pushed now would run at once. */
  get passThrough(): boolean {
    return this.#tasks.length === 0 && this.delayMs() <= 0;
  }

  /** A promise that resolves when its turn comes: for async hooks. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.push(resolve));
  }

  /** Runs everything still waiting now (server shutdown). */
  flush(): void {
    clearTimeout(this.#timer);
    const tasks = this.#tasks;
    this.#tasks = [];
    for (const task of tasks) task.run();
  }

  #arm(): void {
    const head = this.#tasks[0];
    if (!head) return;
    this.#timer = setTimeout(() => this.#runDue(), Math.max(0, head.due - performance.now()));
  }

  #runDue(): void {
    const now = performance.now();
    while (this.#tasks.length > 0 && this.#tasks[0]!.due <= now) this.#tasks.shift()!.run();
    this.#arm();
  }
}
