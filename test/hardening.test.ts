// Hardening, second round (issue 12): each finding's attack, small and on
// loopback, against a real server. Connection caps use small caps and several
// 127.0.0.x source addresses (Linux routes all of 127/8 to lo), so this test
// process stays far from its descriptor limit.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { Room } from '../src/chat/room.js';
import { DEFAULTS } from '../src/config.js';
import { NAMESPACE_JOIN_MS } from '../src/transports/engine.js';
import { Guard } from '../src/transports/guard.js';
import { rawExchange } from './faults/hostile.js';
import { connected, disconnectAll, floodSseStream, input, makeClient, Recorder, startServer, TRANSPORTS, waitFor } from './helpers.js';

after(disconnectAll);

/** A raw TCP connection from `localAddress`; resolves once open, or with undefined when the server closes it at once. */
async function tcpFrom(port: number, localAddress: string): Promise<net.Socket | undefined> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  // A refused connection is closed by the server before any byte: wait a moment for that close.
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300)),
  ]);
  return closed ? undefined : socket;
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** A GET from `localAddress`: status and body. */
function getFrom(port: number, path: string, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describe('finding 1: Engine.IO sessions per IP', () => {
  it('bare handshakes beyond the cap are refused (403) before a session exists; sessions that join no namespace are closed', async () => {
    const guard = new Guard({ ...DEFAULTS, maxConnectionsPerIp: 10 });
    const server = await startServer({ maxConnectionsPerIp: 10, guard });
    try {
      const handshake = () => getFrom(server.port, '/socket.io/?EIO=4&transport=polling', '127.0.0.5');
      const answers = await Promise.all(Array.from({ length: 25 }, handshake));
      assert.equal(answers.filter((answer) => answer.status === 200).length, 10, answers.map((a) => a.status).join());
      assert.equal(answers.filter((answer) => answer.status === 403).length, 15);
      assert.equal(guard.engineSessions.count('127.0.0.5'), 10);
      // Direct WebSocket sessions count too.
      const direct = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`, { localAddress: '127.0.0.5' });
      direct.on('error', () => undefined);
      const [, response] = (await once(direct, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.notEqual(response.statusCode, 101);
      // Another address still connects a real client meanwhile.
      const recorder = await connected(makeClient('socketio', server.baseUrl));
      recorder.client.disconnect();
      // None of the bare sessions joined a namespace: they are closed after NAMESPACE_JOIN_MS.
      await waitFor(() => guard.engineSessions.count('127.0.0.5') === 0, NAMESPACE_JOIN_MS * 3, 'idle sessions closed');
      assert.equal((await handshake()).status, 200, 'the address may connect again');
    } finally {
      await server.close();
    }
  });
});

describe('finding 2: TCP connections per IP', () => {
  it('an address over its cap has its connections closed at once; other addresses are served', async () => {
    const server = await startServer({ maxTcpConnectionsPerIp: 5 });
    const open: net.Socket[] = [];
    try {
      for (let n = 0; n < 5; n++) open.push((await tcpFrom(server.port, '127.0.0.2'))!);
      assert.ok(open.every(Boolean), 'the first 5 from 127.0.0.2 are held');
      assert.equal(await tcpFrom(server.port, '127.0.0.2'), undefined, 'the 6th from 127.0.0.2 is closed');
      // Another address still gets real answers.
      const other = await rawExchange(server.port, ['GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'], 5000);
      assert.equal(other.status, 200);
      const third = await tcpFrom(server.port, '127.0.0.3');
      assert.ok(third, '127.0.0.3 is not affected');
      third.destroy();
      // A freed place is reusable (once the server has seen the close).
      open.pop()!.destroy();
      let again: net.Socket | undefined;
      for (let attempt = 0; attempt < 20 && !again; attempt++) again = await tcpFrom(server.port, '127.0.0.2');
      assert.ok(again, 'a freed place is reusable');
      open.push(again);
    } finally {
      for (const socket of open) socket?.destroy();
      await server.close();
    }
  });
});

describe('finding 3: a fair send limit', () => {
  it('two flooders rotating ids (HTTP client= per request, WebSocket reconnect after 1008) on the honest IP: the honest 1 msg/s client passes at first try', async () => {
    const server = await startServer({ rateLimit: true });
    const messagesUrl = `${server.baseUrl}/api/short-polling/messages`;
    let flooding = true;
    let flooderAccepted = 0;
    const httpFlooder = async (): Promise<void> => {
      for (let n = 0; flooding; n++) {
        const batch = Array.from({ length: 8 }, (_, k) => postJson(`${messagesUrl}?client=rot-${n}-${k}`, input(`flood ${n}`, 'flooder')));
        for (const response of await Promise.all(batch)) if (response.status === 201) flooderAccepted++;
      }
    };
    const wsFlooder = async (): Promise<void> => {
      while (flooding) {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
        ws.on('error', () => undefined);
        ws.on('message', (data) => {
          if ((JSON.parse((data as Buffer).toString()) as { type: string }).type === 'ack') flooderAccepted++;
        });
        const closed = once(ws, 'close');
        await Promise.race([once(ws, 'open'), closed]);
        for (let n = 0; n < 100 && ws.readyState === WebSocket.OPEN; n++)
          ws.send(JSON.stringify({ type: 'send', ...input(`ws flood ${n}`) }));
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 500))]);
        ws.terminate();
      }
    };
    try {
      const flooders = [httpFlooder(), wsFlooder()];
      const statuses: number[] = [];
      for (let n = 0; n < 20; n++) {
        const sentAt = Date.now();
        statuses.push((await postJson(`${messagesUrl}?client=honest`, input(`honest ${n}`, 'honest'))).status);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - sentAt))));
      }
      flooding = false;
      await Promise.all(flooders);
      const accepted = statuses.filter((status) => status === 201).length;
      assert.ok(flooderAccepted > 100, `the flooders did flood (${flooderAccepted} accepted)`);
      assert.equal(accepted, statuses.length, `honest first tries: ${statuses.join(' ')}`);
    } finally {
      flooding = false;
      await server.close();
    }
  });

  it('300 phones behind one address at 1 msg/s each (time scaled by 1/5: limits and rate alike), real clients: nothing refused', async () => {
    const scale = 0.2;
    const options = {
      ...DEFAULTS,
      logLevel: 'silent',
      sendRatePerClient: DEFAULTS.sendRatePerClient * scale,
      sendRatePerIp: DEFAULTS.sendRatePerIp * scale,
      newClientRatePerIp: DEFAULTS.newClientRatePerIp * scale,
    };
    const guard = new Guard(options);
    const server = await startServer({ ...options, guard });
    try {
      // Every phone is a real client; most poll slowly so 300 receivers stay cheap here.
      const phones = Array.from({ length: 300 }, (_, n) => {
        const name = n < 280 ? 'short-polling' : TRANSPORTS[n % TRANSPORTS.length]!;
        return makeClient(name, server.baseUrl, { intervalMs: 5000, waitMs: 5000 });
      });
      const recorders = phones.map((phone) => new Recorder(phone));
      for (const phone of phones) phone.connect();
      await waitFor(() => recorders.every((recorder) => recorder.syncs.length > 0), 60_000, 'every phone joined');
      const periodMs = 1000 / scale;
      const rounds = 2;
      const sends: Array<Promise<unknown>> = [];
      for (let round = 0; round < rounds; round++) {
        const roundStart = Date.now();
        phones.forEach((phone, n) => {
          // Spread over the period, as people type.
          const at = (n / phones.length) * periodMs;
          sends.push(
            new Promise((resolve) => setTimeout(resolve, at)).then(() => phone.send(input(`phone ${n} round ${round}`, `phone${n}`))),
          );
        });
        await new Promise((resolve) => setTimeout(resolve, periodMs - (Date.now() - roundStart)));
      }
      await Promise.all(sends);
      assert.equal(guard.sendsRefused, 0, 'no send of the workshop was refused');
      for (const phone of phones) phone.disconnect();
    } finally {
      await server.close();
    }
  });
});

describe('finding 4: catch-up in bounded batches and a per-IP byte budget', () => {
  it('GET ?since=0 answers at most pollBatchMessages with more: true; the real clients still get every message once', async () => {
    const room = new Room({ historyLimit: 1000 });
    for (let n = 0; n < 450; n++) void room.append(input(`old ${n}`), 'short-polling');
    const server = await startServer({ room, pollBatchMessages: 100 });
    try {
      const first = (await (await fetch(`${server.baseUrl}/api/short-polling/messages?since=0`)).json()) as {
        messages: Array<{ id: number }>;
        more?: boolean;
        cursor: number;
      };
      assert.equal(first.messages.length, 100);
      assert.equal(first.more, true);
      assert.equal(first.cursor, 450, 'cursor stays the room cursor');
      const last = (await (await fetch(`${server.baseUrl}/api/long-polling/messages?since=400&wait=0`)).json()) as {
        messages: unknown[];
        more?: boolean;
      };
      assert.equal(last.messages.length, 50);
      assert.equal(last.more, undefined);
      for (const name of ['short-polling', 'long-polling'] as const) {
        const recorder = await connected(makeClient(name, server.baseUrl, { since: 0, intervalMs: 1000 }));
        await recorder.waitForMessages(450);
        assert.deepEqual(
          recorder.ids(),
          Array.from({ length: 450 }, (_, n) => n + 1),
          name,
        );
        recorder.client.disconnect();
      }
    } finally {
      await server.close();
    }
  });

  it('repeated history requests from one address: 429 catchup_budget with Retry-After; another address and live polls are unaffected', async () => {
    let now = Date.now() - 120_000;
    const room = new Room({ historyLimit: 1000, now: () => now });
    for (let n = 0; n < 200; n++) void room.append(input('x'.repeat(900)), 'short-polling'); // ~1 KB each, two minutes old
    now = Date.now();
    const server = await startServer({ room, catchupBurstBytesPerIp: 500_000, catchupBytesPerSecPerIp: 10_000 });
    const history = (path = '/api/short-polling/messages?since=0') => fetch(`${server.baseUrl}${path}`);
    try {
      const statuses: number[] = [];
      for (let n = 0; n < 5; n++) statuses.push((await history()).status);
      assert.deepEqual(statuses.slice(0, 2), [200, 200]);
      const refused = await history();
      assert.equal(refused.status, 429);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'catchup_budget');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      // The pushed transports ask the same budget: a WebSocket upgrade is refused, Socket.IO gets connect_error.
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?since=0`);
      ws.on('error', () => undefined);
      const [, wsResponse] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number; headers: Record<string, string> }];
      assert.equal(wsResponse.statusCode, 429);
      assert.ok(Number(wsResponse.headers['retry-after']) >= 1);
      const sio = io(server.baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { since: 0 } });
      const sioError = await new Promise<Error & { data?: { code: string } }>((resolve) => sio.once('connect_error', resolve));
      assert.equal(sioError.data?.code, 'catchup_budget');
      sio.close();
      // SSE: the same 429 as JSON, before any stream.
      const stream = await fetch(`${server.baseUrl}/api/sse/messages?since=0`);
      assert.equal(stream.status, 429);
      assert.equal(((await stream.json()) as { error: { code: string } }).error.code, 'catchup_budget');
      assert.ok(Number(stream.headers.get('retry-after')) >= 1);
      // A live poll (nothing old in it) costs nothing.
      assert.equal((await history(`/api/short-polling/messages?since=${room.cursor}`)).status, 200);
      // Another address still gets the history.
      const other = await new Promise<number>((resolve, reject) => {
        const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress: '127.0.0.4' }, () =>
          socket.write('GET /api/short-polling/messages?since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
        );
        let head = '';
        socket.on('data', (chunk: Buffer) => (head ||= chunk.toString('latin1')));
        socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
        socket.on('error', reject);
      });
      assert.equal(other, 200);
    } finally {
      await server.close();
    }
  });
});

describe('finding 4: Socket.IO flooders are disconnected, as WebSocket closes 1008', () => {
  it('a client that keeps sending into its limit gets rate_limited acks, then is disconnected by the server', async () => {
    const server = await startServer({ sendRatePerClient: 1, sendBurstPerClient: 3 });
    const socket = io(server.baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      const codes: string[] = [];
      for (let n = 0; n < 50 && socket.connected; n++) {
        socket.emit('send', input(`sio flood ${n}`), (ack: { ok: boolean; error?: { code: string } }) => {
          if (!ack.ok) codes.push(ack.error!.code);
        });
      }
      assert.equal(await disconnected, 'io server disconnect');
      assert.ok(codes.length > 0 && codes.every((code) => code === 'rate_limited'), codes.join());
    } finally {
      socket.close();
      await server.close();
    }
  });
});

describe('finding 4 (SSE): a persistent flooder loses its stream', () => {
  it(
    'the stream named by client= ends once its POSTs keep hitting the limit; a neighbour stream stays open',
    { timeout: 60_000 },
    async () => {
      const server = await startServer({ sendRatePerClient: 1, sendBurstPerClient: 3 });
      try {
        const flood = await floodSseStream(server.baseUrl, { streamQuery: '?client=flooder1', sendQuery: '?client=flooder1' });
        assert.equal(flood.flooderStatus, 200);
        assert.ok(flood.sendStatuses.includes(429), flood.sendStatuses.join());
        assert.equal(flood.neighbourOpen, true);
      } finally {
        await server.close();
      }
    },
  );
});

describe('finding 7: Host allow-list, and every error in the JSON shape', () => {
  it('a foreign Host (DNS rebinding) is refused on HTTP (421 JSON, SSE streams too), WebSocket and Socket.IO alike; own and configured names pass', async () => {
    const server = await startServer({ allowedHosts: ['demo.example'] });
    try {
      const evil = { Host: 'evil.example' };
      const raw = (request: string) => rawExchange(server.port, [request], 5000);
      const post = await raw(
        `POST /api/short-polling/messages HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      );
      assert.equal(post.status, 421, post.head);
      assert.equal((JSON.parse(post.body) as { error: { code: string } }).error.code, 'unknown_host');
      const sio = await raw(`GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: evil.example:3000\r\nConnection: close\r\n\r\n`);
      assert.equal(sio.status, 421, sio.head);
      const sse = await raw(`GET /api/sse/messages HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
      assert.equal(sse.status, 421, sse.head);
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: evil });
      ws.on('error', () => undefined);
      const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(response.statusCode, 421);
      const sioWs = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`, { headers: evil });
      sioWs.on('error', () => undefined);
      const [, sioResponse] = (await once(sioWs, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(sioResponse.statusCode, 421);
      for (const host of ['localhost', `localhost:${server.port}`, '127.0.0.1', '[::1]:80', 'demo.example', 'DEMO.example:8080']) {
        const ok = await raw(`GET /api/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        assert.equal(ok.status, 200, host);
      }
      const accepted = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { Host: 'demo.example' } });
      await once(accepted, 'open');
      accepted.close();
    } finally {
      await server.close();
    }
  });

  it('a URL the router cannot decode and requests Node refuses get { error: { code, message } } too', async () => {
    const server = await startServer();
    try {
      const badUrl = await rawExchange(server.port, ['GET /api/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n']);
      assert.equal(badUrl.status, 400, badUrl.head);
      assert.equal((JSON.parse(badUrl.body) as { error: { code: string } }).error.code, 'invalid_url');
      const garbage = await rawExchange(server.port, ['NOT HTTP AT ALL\r\n\r\n']);
      assert.equal(garbage.status, 400, garbage.head);
      assert.equal((JSON.parse(garbage.body) as { error: { code: string } }).error.code, 'bad_request');
      const badLength = await rawExchange(server.port, ['POST /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n']);
      assert.equal(badLength.status, 400, badLength.head);
      assert.equal(typeof (JSON.parse(badLength.body) as { error: { message: string } }).error.message, 'string');
      const headers = Array.from({ length: 3000 }, (_, n) => `X-Filler-${n}: ${n}\r\n`).join('');
      const tooBig = await rawExchange(server.port, [`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`]);
      assert.equal(tooBig.status, 431, tooBig.head);
      assert.equal((JSON.parse(tooBig.body) as { error: { code: string } }).error.code, 'headers_too_large');
    } finally {
      await server.close();
    }
  });
});
