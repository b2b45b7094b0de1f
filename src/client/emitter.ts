// A minimal typed event emitter that runs the same in browsers and Node.
export type Listener<Args extends unknown[]> = (...args: Args) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  #listeners: { [K in keyof Events]?: Set<Listener<Events[K]>> } = {};

  /** Returns the function that removes the listener. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const set = (this.#listeners[event] ??= new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Whether anyone listens: lets a caller skip building an event nobody reads. */
  protected listening(event: keyof Events): boolean {
    return (this.#listeners[event]?.size ?? 0) > 0;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of this.#listeners[event] ?? []) listener(...args);
  }
}
