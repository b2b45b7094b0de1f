// Limits and protections: the send rate limit on every transport, connection
// caps per address, slow consumers cut, security headers, dependency floors.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { after, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { Room } from '../src/chat/room.js';
import { TRANSPORTS as DESCRIPTORS } from '../src/chat/transports.js';
import { SendRateLimiter } from '../src/chat/rate-limit.js';
import { DEFAULTS } from '../src/config.js';
import { Guard } from '../src/transports/guard.js';
import { Bystanders } from './faults/hostile.js';
import { disconnectAll, input, startServer, waitFor, wsText } from './helpers.js';

after(disconnectAll);

describe('send rate limit', () => {
  const defaults = {
    perClient: { ratePerSec: DEFAULTS.sendRatePerClient, burst: DEFAULTS.sendBurstPerClient },
    perIp: { ratePerSec: DEFAULTS.sendRatePerIp, burst: DEFAULTS.sendBurstPerIp },
    newClientsPerIp: { ratePerSec: DEFAULTS.newClientRatePerIp, burst: DEFAULTS.newClientBurstPerIp },
  };

  it('defaults: 100 phones on one Wi-Fi address, each chatting and auto-sending, for 10 simulated minutes: never refused once joined', () => {
    let now = 0;
    const limiter = new SendRateLimiter(defaults, () => now);
    let refusedJoining = 0;
    let refusedLater = 0;
    // Every phone runs the page: one pane (client) per transport; the auto-send probe goes out
    // every second through the next pane in turn, and the person types a
    // message every 2 s plus a burst of 5 quick ones once a minute.
    // The client ids (one per pane) are new in the first seconds: beyond the new-client
    // burst (300) their first sends wait for a new-client token (the client
    // retries them); after that nothing is refused.
    for (let second = 0; second < 600; second++) {
      for (let phone = 0; phone < 100; phone++) {
        now = second * 1000 + phone * 7;
        const pane = (second + phone) % DESCRIPTORS.length;
        const admit = (key: string): void => {
          if (limiter.admit(key, '10.0.0.1').ok) return;
          if (second < 30) refusedJoining++;
          else refusedLater++;
        };
        admit(`phone${phone}/pane${pane}`);
        if (second % 2 === 0) admit(`phone${phone}/pane0`);
        if (second % 60 === phone % 60) for (let n = 0; n < 5; n++) admit(`phone${phone}/pane1`);
      }
    }
    assert.equal(refusedLater, 0);
    // Each of the ~100 ids over the burst is refused a few times (5 new ids a second) before its first send passes.
    assert.ok(refusedJoining < 400, `${refusedJoining} first-send attempts waited`);
  });

  it('a flood from one client is cut after its burst, and turns persistent if it goes on', () => {
    let now = 0;
    const limiter = new SendRateLimiter(defaults, () => now);
    const answers = Array.from({ length: 100 }, () => limiter.admit('flooder', '10.0.0.2'));
    const firstRefusal = answers.findIndex((answer) => !answer.ok);
    assert.equal(firstRefusal, DEFAULTS.sendBurstPerClient);
    const last = answers.at(-1)!;
    assert.ok(!last.ok && last.persistent && last.retryAfterMs > 0 && last.error.code === 'rate_limited');
    assert.ok(limiter.admit('someone-else', '10.0.0.2').ok, 'another client of the same address still passes');
    now += 1000;
    assert.ok(limiter.admit('flooder', '10.0.0.2').ok, 'tokens come back with time');
  });

  it('HTTP: 429 rate_limited with Retry-After; WebSocket: error frames then close 1008; Socket.IO: ack errors', async () => {
    const server = await startServer({ sendRatePerClient: 1, sendBurstPerClient: 3 });
    try {
      const post = () =>
        fetch(`${server.baseUrl}/api/long-polling/messages?client=flood`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input('flood')),
        });
      const statuses = [];
      for (let n = 0; n < 5; n++) statuses.push(await post());
      assert.deepEqual(
        statuses.map((response) => response.status),
        [201, 201, 201, 429, 429],
      );
      assert.ok(Number(statuses[3]!.headers.get('retry-after')) >= 1);
      assert.equal(((await statuses[3]!.json()) as { error: { code: string } }).error.code, 'rate_limited');

      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      const codes: string[] = [];
      ws.on('message', (data) => {
        const frame = JSON.parse(wsText(data)) as { type: string; code?: string };
        if (frame.type === 'error') codes.push(frame.code!);
      });
      await once(ws, 'open');
      const closed = once(ws, 'close');
      for (let n = 0; n < 50 && ws.readyState === WebSocket.OPEN; n++) ws.send(JSON.stringify({ type: 'send', ...input(`ws flood ${n}`) }));
      const [code] = (await closed) as [number];
      assert.equal(code, 1008);
      assert.ok(codes.length > 0 && codes.every((c) => c === 'rate_limited'), codes.join());

      const socket = io(server.baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
      await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
      const acks = [];
      for (let n = 0; n < 5; n++)
        acks.push((await socket.timeout(5000).emitWithAck('send', input(`sio ${n}`))) as { ok: boolean; error?: { code: string } });
      assert.deepEqual(
        acks.map((ack) => ack.ok),
        [true, true, true, false, false],
      );
      assert.equal(acks[3]!.error!.code, 'rate_limited');
      socket.disconnect();
    } finally {
      await server.close();
    }
  });

  it('the client transports retry a rate-limited send until it passes, once', async () => {
    const server = await startServer({ sendRatePerClient: 5, sendBurstPerClient: 2 });
    try {
      const bystanders = await Bystanders.join(server.baseUrl);
      await Promise.all(Array.from({ length: 3 }, () => bystanders.check()));
      bystanders.leave();
    } finally {
      await server.close();
    }
  });

  it("rateLimit: false (the benchmark's --rate-limit off) lifts it", async () => {
    const server = await startServer({ rateLimit: false, sendRatePerClient: 1, sendBurstPerClient: 1 });
    try {
      for (let n = 0; n < 10; n++) {
        const response = await fetch(`${server.baseUrl}/api/short-polling/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input(`bench ${n}`)),
        });
        assert.equal(response.status, 201);
      }
    } finally {
      await server.close();
    }
  });

  it("the presenter's liftRateLimit lifts it while it is on, and only with the token", async () => {
    const server = await startServer({ sendRatePerClient: 1, sendBurstPerClient: 1, presenterToken: 'lift-token-for-tests' });
    const send = (n: number) =>
      fetch(`${server.baseUrl}/api/short-polling/messages?client=presenter`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input(`fast ${n}`)),
      });
    const setLift = (liftRateLimit: boolean, token = 'lift-token-for-tests') =>
      fetch(`${server.baseUrl}/api/lab`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ liftRateLimit }),
      });
    try {
      assert.equal((await send(0)).status, 201);
      assert.equal((await send(1)).status, 429);
      assert.equal((await setLift(true, 'wrong')).status, 403);
      assert.equal((await send(2)).status, 429);
      assert.equal((await setLift(true)).status, 200);
      for (let n = 3; n < 13; n++) assert.equal((await send(n)).status, 201);
      assert.equal((await setLift(false)).status, 200);
      // Two at once: on a slow machine a second may have passed and refilled one token.
      const last = [(await send(13)).status, (await send(14)).status];
      assert.ok(last.includes(429), last.join());
    } finally {
      await server.close();
    }
  });
});

describe('connection caps per address', () => {
  it('WebSocket beyond the cap: 429; Socket.IO: connect_error too_many_connections; a freed slot is reusable', async () => {
    const server = await startServer({ maxConnectionsPerIp: 2 });
    try {
      const open = async (): Promise<WebSocket> => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
        await once(ws, 'open');
        return ws;
      };
      const first = await open();
      const second = await open();
      const refused = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      refused.on('error', () => undefined);
      const [, response] = (await once(refused, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(response.statusCode, 429);

      const socket = io(server.baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
      const error = await new Promise<Error & { data?: { code: string } }>((resolve) => socket.once('connect_error', resolve));
      assert.equal(error.data?.code, 'too_many_connections');
      socket.disconnect();

      first.close();
      await waitFor(() => first.readyState === WebSocket.CLOSED, 5000, 'first closed');
      const again = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      await waitFor(() => again.readyState === WebSocket.OPEN, 5000, 'a freed slot is reusable');
      again.close();
      second.close();
    } finally {
      await server.close();
    }
  });
});

describe('slow consumers', () => {
  /** Fills the room with big messages until `stalled` is cut, while the bystanders must keep up. */
  async function floodUntilCut(room: Room, isCut: () => boolean): Promise<number> {
    let sent = 0;
    while (!isCut() && sent < 20_000) {
      for (let n = 0; n < 200; n++)
        void room.append({ clientMsgId: `big-${sent++}`, author: 'flood', text: 'w'.repeat(1000) }, 'websocket');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return sent;
  }

  /** A client of `kind` that connects, then stops reading: its socket is paused, so the kernel buffers fill, then the server's. */
  async function stalledClient(kind: 'websocket' | 'socketio' | 'sse', port: number): Promise<{ pause(): void; close(): void }> {
    if (kind === 'sse') {
      const response = await new Promise<IncomingMessage>((resolve, reject) =>
        get(`http://127.0.0.1:${port}/api/sse/messages`, resolve).on('error', reject),
      );
      response.on('error', () => undefined);
      return { pause: () => response.socket.pause(), close: () => response.destroy() };
    }
    const url = kind === 'websocket' ? `ws://127.0.0.1:${port}/ws` : `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
    const stalled = new WebSocket(url);
    stalled.on('error', () => undefined);
    await once(stalled, 'open');
    if (kind === 'socketio') stalled.send('40');
    return { pause: () => (stalled as unknown as { _socket: { pause(): void } })._socket.pause(), close: () => stalled.terminate() };
  }
  /** The bystanders that hold a connection slot: one per push transport. */
  const pushBystanders = DESCRIPTORS.filter((transport) => transport.kind === 'push').length;

  for (const kind of ['websocket', 'socketio', 'sse'] as const) {
    it(`${kind}: a client that stops reading is cut past maxBufferedBytes; the others get everything`, async () => {
      const room = new Room({ historyLimit: 100 });
      const options = { ...DEFAULTS, maxBufferedBytes: 256 * 1024 };
      const guard = new Guard(options);
      const server = await startServer({ ...options, room, guard, logLevel: 'silent' });
      try {
        const bystanders = await Bystanders.join(server.baseUrl);
        const stalled = await stalledClient(kind, server.port);
        await new Promise((resolve) => setTimeout(resolve, 100));
        await waitFor(() => guard.connections.total === pushBystanders + 1, 5000, 'stalled client connected');
        stalled.pause();
        const cutOff = (): boolean => guard.connections.total === pushBystanders; // the bystanders are left
        const sent = await floodUntilCut(room, cutOff);
        const cut = cutOff();
        assert.ok(cut, `the stalled ${kind} client was not cut after ${sent} messages`);
        await bystanders.check(); // everyone else still gets every message
        bystanders.leave();
        stalled.close();
      } finally {
        await server.close();
      }
    });
  }
});

describe('security headers', () => {
  // The full set: documents only (docs/reliability.md, "Security headers").
  const DOCUMENT_ONLY = [
    'content-security-policy',
    'cross-origin-opener-policy',
    'x-frame-options',
    'referrer-policy',
    'origin-agent-cluster',
  ];

  it('documents (the page, its assets, paths outside the API) carry the CSP and the usual hardening headers', async () => {
    const server = await startServer();
    try {
      for (const path of ['/', '/app.js', '/app.css', '/nope']) {
        const response = await fetch(`${server.baseUrl}${path}`);
        await response.arrayBuffer();
        const csp = response.headers.get('content-security-policy') ?? '';
        assert.match(csp, /default-src 'self'/, path);
        assert.match(csp, /connect-src 'self';/, path);
        assert.doesNotMatch(csp, /ws:|wss:/, 'sockets to this host only: no ws:/wss: wildcard');
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'the LAN demo is plain http');
        for (const name of DOCUMENT_ONLY) assert.ok(response.headers.get(name), `${path}: ${name}`);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
        assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin', path);
        assert.equal(response.headers.get('strict-transport-security'), null, path);
      }
    } finally {
      await server.close();
    }
  });

  it('API answers (JSON, errors, Socket.IO polling) keep only nosniff, no-store (not on Socket.IO) and CORP', async () => {
    const server = await startServer();
    try {
      const requests: Array<[string, RequestInit?]> = [
        ['/api/health'],
        ['/api/nope'],
        ['/api/long-polling/messages?since=0&wait=0'],
        ['/api/short-polling/messages?since=x'],
        [
          '/api/short-polling/messages',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input('headers')) },
        ],
        ['/socket.io/?EIO=4&transport=polling'],
      ];
      for (const [path, init] of requests) {
        const response = await fetch(`${server.baseUrl}${path}`, init);
        await response.arrayBuffer();
        const what = `${init?.method ?? 'GET'} ${path} (${response.status})`;
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
        // engine.io-client makes each poll URL unique; no-store there broke a resume (src/http/security.ts).
        if (!path.startsWith('/socket.io/')) assert.equal(response.headers.get('cache-control'), 'no-store', what);
        assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin', what);
        for (const name of DOCUMENT_ONLY) assert.equal(response.headers.get(name), null, `${what}: ${name}`);
      }
    } finally {
      await server.close();
    }
  });
});

describe('dependency floors', () => {
  const floors: Record<string, string> = { ws: '8.21.0', 'engine.io': '6.6.9', 'socket.io-parser': '4.2.6' };
  const atLeast = (version: string, floor: string): boolean => {
    const [a, b] = [version, floor].map((v) => v.split('.').map(Number));
    for (let i = 0; i < 3; i++) if (a![i] !== b![i]) return a![i]! > b![i]!;
    return true;
  };

  it('every installed copy of ws, engine.io and socket.io-parser is at a patched version', () => {
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const seen: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = path.split('node_modules/').at(-1)!;
      const floor = floors[name];
      if (!floor || !entry.version) continue;
      seen.push(`${path}@${entry.version}`);
      assert.ok(atLeast(entry.version, floor), `${path} is ${entry.version}, below ${floor}`);
    }
    for (const name of Object.keys(floors))
      assert.ok(
        seen.some((s) => s.includes(`node_modules/${name}@`)),
        `${name} not found`,
      );
  });
});
