// A server node as a real child process (`node dist/src/main.js`), so a test
// can SIGKILL it the way a crashed machine goes away.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

export class NodeProcess {
  readonly #child: ChildProcess;
  #output = '';

  private constructor(
    readonly nodeId: string,
    readonly port: number,
    args: string[],
  ) {
    this.#child = spawn(process.execPath, [MAIN, '--host', '127.0.0.1', '--port', String(port), '--node-id', nodeId, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.#child.stdout, this.#child.stderr])
      stream?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts a node and waits until its /api/health says ok. */
  static async start(nodeId: string, args: string[]): Promise<NodeProcess> {
    const node = new NodeProcess(nodeId, await freePort(), ['--log-level', 'warn', ...args]);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (node.#child.exitCode !== null) throw new Error(`node ${nodeId} exited (${node.#child.exitCode}):\n${node.#output}`);
      try {
        if ((await fetch(`${node.baseUrl}/api/health`)).ok) return node;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        node.#child.kill('SIGKILL');
        throw new Error(`node ${nodeId} did not get healthy:\n${node.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGKILL: no shutdown, no goodbye to any client. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGKILL');
    await exited;
  }
}
