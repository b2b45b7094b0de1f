// HAProxy in front of several nodes: every request may go to any node
// (cursor-based HTTP transports, WebSocket), except Socket.IO's, which are
// bound to the node that holds the session and routed by its `sid` query
// parameter (each node's session ids start with its node id). Used by
// `npm run cluster` and the tests; docs/scaling.md shows the output.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProxiedNode {
  /** The node's --node-id: its Socket.IO session ids start with `<id>.`. */
  id: string;
  host: string;
  port: number;
}

export interface ProxyOptions {
  host: string;
  port: number;
  nodes: ProxiedNode[];
  /** false = round robin for Socket.IO too, which breaks its polling sessions (the lesson of docs/scaling.md). */
  stickySocketIo?: boolean;
}

export function haproxyConfig({ host, port, nodes, stickySocketIo = true }: ProxyOptions): string {
  const servers = nodes.map((node) => `  server ${node.id} ${node.host}:${node.port} check inter 1s fall 2 rise 1`);
  const sticky = nodes.map((node) => `  use-server ${node.id} if { url_param(sid) -m beg ${node.id}. }`);
  return [
    'global',
    '  # Two file descriptors per proxied connection: keep under the usual 20k FD limit.',
    '  maxconn 8000',
    '',
    'defaults',
    '  mode http',
    '  option redispatch',
    '  retries 2',
    '  timeout connect 2s',
    '  timeout client 60s',
    // Above the longest long-poll hold (30 s).
    '  timeout server 60s',
    // An upgraded WebSocket is a tunnel: it lives as long as the client stays.
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 10s',
    '',
    'frontend transport_lab',
    `  bind ${host}:${port}`,
    '  use_backend socketio if { path_beg /socket.io/ }',
    '  default_backend nodes',
    '',
    '# Any node can answer: polls carry their cursor, sends are idempotent, the room is in Redis.',
    'backend nodes',
    '  balance roundrobin',
    // A node whose Redis is down answers 503 here: requests go to the others.
    // HTTP/1.1 with a Host the node accepts (its Host check answers 421 to a check without one).
    '  option httpchk',
    '  http-check send meth GET uri /api/health ver HTTP/1.1 hdr Host localhost',
    ...servers,
    '',
    stickySocketIo
      ? '# A Socket.IO session lives on one node: its requests go where its sid says; the handshake (no sid yet) is balanced.'
      : '# NOT sticky: every Socket.IO request goes to the next node (polling sessions break).',
    'backend socketio',
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /api/health ver HTTP/1.1 hdr Host localhost',
    ...(stickySocketIo ? sticky : []),
    ...servers,
    '',
  ].join('\n');
}

export interface RunningProxy {
  url: string;
  config: string;
  stop(): Promise<void>;
}

/** Starts Debian's haproxy with the config (foreground), resolving once it accepts connections. */
export async function startHaproxy(options: ProxyOptions, binary = process.env.HAPROXY ?? 'haproxy'): Promise<RunningProxy> {
  if (spawnSync(binary, ['-v']).error) throw new Error(`${binary} not found: install HAProxy (Debian: apt-get install haproxy)`);
  const config = haproxyConfig(options);
  const file = join(mkdtempSync(join(tmpdir(), 'transport-lab-haproxy-')), 'haproxy.cfg');
  writeFileSync(file, config);
  const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(options.host, options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not start on ${options.host}:${options.port}:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return { url: `http://${host}:${options.port}`, config, stop };
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host === '0.0.0.0' ? '127.0.0.1' : host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
