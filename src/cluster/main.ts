// `npm run cluster`: two (or --nodes N) server nodes sharing one room through
// a local Redis, behind HAProxy (sticky for Socket.IO only), so the scaling
// lesson runs on one laptop. Open the proxy's URL; kill a node to watch
// clients fail over.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lanUrls } from '../lab/join.js';
import { randomToken } from '../lab/token.js';
import { startHaproxy } from './haproxy.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

const { values } = parseArgs({
  options: {
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    nodes: { type: 'string', default: '2' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: npm run cluster -- [--redis URL] [--port N] [--nodes N]

Starts N nodes (ports PORT+1.., ids n1..) sharing one room in Redis
(default redis://127.0.0.1:6379, or REDIS_URL) and HAProxy on 0.0.0.0:PORT
(default 3000) in front of them, sticky for /socket.io/ only.
Needs redis-server running and haproxy installed (Debian: apt-get install redis-server haproxy).`);
  process.exit(0);
}

const port = Number(values.port);
const count = Number(values.nodes);
// One presenter token for the whole cluster, so the Presenter panel works whichever node serves it.
const token = process.env.PRESENTER_TOKEN ?? randomToken();
const children: ChildProcess[] = [];
const nodes = Array.from({ length: count }, (_, index) => ({ id: `n${index + 1}`, host: '127.0.0.1', port: port + 1 + index }));

const stopAll = (): void => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('exit', stopAll);

for (const node of nodes) {
  const args = [MAIN, '--host', node.host, '--port', String(node.port), '--node-id', node.id, '--redis', values.redis];
  const child = spawn(process.execPath, [...args, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PRESENTER_TOKEN: token },
  });
  child.once('exit', (code, signal) => console.log(`node ${node.id} exited (${signal ?? code})`));
  children.push(child);
}
await Promise.all(nodes.map((node) => healthy(`http://${node.host}:${node.port}`)));
const proxy = await startHaproxy({ host: '0.0.0.0', port, nodes });

console.log(`\nTransport Lab cluster: ${count} nodes sharing the room in ${values.redis}, behind HAProxy:`);
console.log(`  http://localhost:${port}`);
for (const url of lanUrls(port)) console.log(`  ${url}   (audience on the same network)`);
for (const node of nodes) console.log(`  node ${node.id}: http://${node.host}:${node.port}   (pid ${children[nodes.indexOf(node)]!.pid})`);
console.log(`Presenter token: ${process.env.PRESENTER_TOKEN ? '(the one you set with PRESENTER_TOKEN)' : token}`);
console.log(`Try: kill -9 ${children[0]!.pid}   (node n1 dies; its clients reconnect to another node and miss nothing)\n`);

const shutdown = (): void => {
  stopAll();
  void proxy.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

async function healthy(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stopAll();
      console.error(`${baseUrl} did not get healthy: is Redis running at ${values.redis}?`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
