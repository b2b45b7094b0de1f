// A TCP fault proxy for tests: real clients connect to it, it forwards every
// byte to the real server, and the test decides when to cut, stall or slow
// connections down. No mock of anything: the faults are real socket events.
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export interface LatencyOptions {
  /** Added to every chunk, each direction. */
  latencyMs: number;
  /** Up to this much more, at random; chunks of one direction still arrive in order. */
  jitterMs: number;
}

export class FaultProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<Pair>();
  #latency: LatencyOptions = { latencyMs: 0, jitterMs: 0 };
  #port = 0;
  /** Connections cut so far. */
  cuts = 0;

  private constructor(
    readonly targetPort: number,
    readonly targetHost: string,
  ) {
    // Half-open allowed: a FIN is passed on and the other direction keeps flowing, as in TCP.
    this.#server = net.createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort, targetHost);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.#port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get connectionCount(): number {
    return this.#pairs.size;
  }

  setLatency(latency: LatencyOptions): void {
    this.#latency = latency;
  }

  /** Cuts every open connection at once (both sides see it close). */
  cutAll(): number {
    return this.cutRandom(1);
  }

  /** Cuts each open connection with probability `fraction`. */
  cutRandom(fraction: number): number {
    let cut = 0;
    for (const pair of [...this.#pairs]) {
      if (Math.random() >= fraction) continue;
      this.#drop(pair);
      cut++;
    }
    this.cuts += cut;
    return cut;
  }

  /** Stops moving bytes on every open connection for `ms`, then lets them flow again. */
  stall(ms: number): void {
    const stalled = [...this.#pairs];
    for (const { client, upstream } of stalled) {
      client.pause();
      upstream.pause();
    }
    setTimeout(() => {
      for (const { client, upstream } of stalled) {
        client.resume();
        upstream.resume();
      }
    }, ms).unref();
  }

  async close(): Promise<void> {
    for (const pair of [...this.#pairs]) this.#drop(pair);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    const upstream = net.connect({ port: this.targetPort, host: this.targetHost, allowHalfOpen: true });
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    const drop = (): void => this.#drop(pair);
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    this.#forward(client, upstream);
    this.#forward(upstream, client);
  }

  #drop(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream.destroy();
  }

  /** Copies `from` to `to`, after the configured latency, keeping chunk order. */
  #forward(from: net.Socket, to: net.Socket): void {
    // Delayed chunks wait in one queue per direction, drained by one timer,
    // so jitter never reorders bytes (separate timers could).
    const queue: Array<{ dueAt: number; chunk: Buffer | null }> = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = (): void => {
      timer = undefined;
      while (queue.length > 0 && queue[0]!.dueAt <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (chunk === null) to.end();
        else if (to.writable) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(pump, queue[0]!.dueAt - Date.now());
    };
    const enqueue = (chunk: Buffer | null): void => {
      const { latencyMs, jitterMs } = this.#latency;
      const dueAt = Math.max(queue.at(-1)?.dueAt ?? 0, Date.now() + latencyMs + Math.random() * jitterMs);
      queue.push({ dueAt, chunk });
      timer ??= setTimeout(pump, dueAt - Date.now());
    };
    const delayed = (): boolean => this.#latency.latencyMs > 0 || this.#latency.jitterMs > 0 || queue.length > 0;
    from.on('data', (chunk: Buffer) => {
      if (delayed()) return enqueue(chunk);
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.on('end', () => (delayed() ? enqueue(null) : to.end()));
    to.once('close', () => clearTimeout(timer));
  }
}
