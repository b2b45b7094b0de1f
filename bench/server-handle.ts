// Starts a benchmarked server in its own process (pinned to its own core
// when taskset is there) and asks it for its counters.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TransportName } from '../src/chat/transports.js';
import type { ReadyMessage, StatsMessage, StatsRequest } from './ipc.js';

/**
 * Each transport's bare baseline: the bare library or a bare node:http
 * server with just enough of the contract for the same client code
 * (`bench/<name>-server.ts`). Every transport has one: the type says so.
 */
export const BARE_BASELINES = {
  'short-polling': 'bare-short-polling',
  'long-polling': 'bare-long-polling',
  websocket: 'bare-ws',
  socketio: 'bare-socketio',
  sse: 'bare-sse',
} as const satisfies Record<TransportName, string>;

export type BareKind = (typeof BARE_BASELINES)[keyof typeof BARE_BASELINES];
export type ServerKind = 'ours' | BareKind;

const scriptOf = (kind: ServerKind): string => (kind === 'ours' ? 'server-process.js' : `${kind}-server.js`);

/** Core placement: the server on core 0, the harness on the last core, when there are two or more. */
export interface Pinning {
  serverCore: number | undefined;
  harnessCore: number | undefined;
  note: string;
}

export function pinHarness(cores: number): Pinning {
  const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
  if (!hasTaskset) return { serverCore: undefined, harnessCore: undefined, note: 'taskset not found (util-linux): not pinned' };
  if (cores < 2) return { serverCore: undefined, harnessCore: undefined, note: 'one core: not pinned' };
  const harnessCore = cores - 1;
  // -a: every thread of this process (libuv's pool and V8's helpers too).
  const pinned = spawnSync('taskset', ['-a', '-cp', String(harnessCore), String(process.pid)]).status === 0;
  if (!pinned) return { serverCore: undefined, harnessCore: undefined, note: 'taskset refused: not pinned' };
  return { serverCore: 0, harnessCore, note: `server on core 0, load generator on core ${harnessCore}` };
}

export interface Stats extends Omit<StatsMessage, 'type'> {
  /** performance.now() in the harness when the answer arrived. */
  at: number;
}

export class ServerHandle {
  private constructor(
    readonly kind: ServerKind,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `cpuProfDir`: write a V8 CPU profile of the server there when it stops (`--cpu-prof`). */
  static async start(kind: ServerKind, pinning: Pinning, cpuProfDir?: string): Promise<ServerHandle> {
    const script = fileURLToPath(new URL(scriptOf(kind), import.meta.url));
    const profile =
      cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`];
    const node = [process.execPath, '--expose-gc', ...profile, script];
    const [command, ...args] = pinning.serverCore === undefined ? node : ['taskset', '-c', String(pinning.serverCore), ...node];
    const child = spawn(command!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code} before it was ready`)));
      child.once('message', (message: ReadyMessage) => resolve(message.port));
    });
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') console.error(`\n${kind} server died (${code ?? signal})`);
    });
    return new ServerHandle(kind, port, child);
  }

  stats(gc = false): Promise<Stats> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: StatsMessage): void => {
        if (message.type !== 'stats') return;
        this.child.off('message', onMessage);
        const { type: _type, ...stats } = message;
        resolve({ ...stats, at: performance.now() });
      };
      this.child.on('message', onMessage);
      const request: StatsRequest = { type: 'stats', gc };
      if (!this.child.send(request)) reject(new Error(`${this.kind} server is gone`));
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    // The server exits on disconnect (a clean exit, so --cpu-prof writes its profile).
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
