// The server of a long run (soak, attack) in its own process, so that its
// memory is measured alone: the script sends `{type: 'ready', port}`, answers
// each 'sample' message with `{type: 'sample', data}`, and exits on 'stop'.
import { fork } from 'node:child_process';

export interface ServerProcess<Sample> {
  port: number;
  /** The process has exited (e.g. out of memory). */
  readonly died: boolean;
  /** A fresh sample; once the process is gone, `ifDied` (or an error without it). */
  sample(): Promise<Sample>;
  stop(): void;
}

export async function forkServer<Sample>(script: URL, execArgv: string[], ifDied?: Sample): Promise<ServerProcess<Sample>> {
  const child = fork(script, { execArgv, stdio: 'inherit' });
  let died = false;
  child.once('exit', () => (died = true));
  const waiting: Array<(sample: Sample) => void> = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (message: { type: string; port?: number; data?: Sample }) => {
      if (message.type === 'ready') resolve(message.port!);
      if (message.type === 'sample') waiting.shift()?.(message.data!);
    });
    child.once('exit', (code) => reject(new Error(`${script.pathname} exited early (${code})`)));
  });
  return {
    port,
    get died() {
      return died;
    },
    sample: () =>
      new Promise((resolve, reject) => {
        if (died) return ifDied === undefined ? reject(new Error(`${script.pathname} has exited`)) : resolve(ifDied);
        waiting.push(resolve);
        child.send('sample');
      }),
    stop: () => {
      if (!died) child.send('stop');
    },
  };
}
