// Hostile input on the socket transports (raw WebSocket and Socket.IO): the
// documented error frame, ack error or refusal, never a crash, and
// bystanders on every transport keep chatting.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, afterEach, before, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { Bystanders, rawExchange } from './faults/hostile.js';
import { disconnectAll, input, startServer, waitFor, wsText, type RunningServer } from './helpers.js';

interface Frame {
  type: string;
  code?: string;
  clientMsgId?: string;
}

describe('hostile socket input', () => {
  let server: RunningServer;
  let bystanders: Bystanders;
  const wsUrl = (query = ''): string => `ws://127.0.0.1:${server.port}/ws${query}`;

  /** An open raw WebSocket and the JSON frames it gets. */
  async function openWs(headers: Record<string, string> = {}): Promise<{ ws: WebSocket; frames: Frame[] }> {
    const ws = new WebSocket(wsUrl(), { headers });
    const frames: Frame[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(wsText(data)) as Frame));
    ws.on('error', () => undefined);
    await once(ws, 'open');
    await waitFor(() => frames.some((frame) => frame.type === 'welcome'), 5000, 'welcome');
    return { ws, frames };
  }

  /** The HTTP status a WebSocket handshake is refused with (101 when accepted). */
  async function handshakeStatus(url: string, headers: Record<string, string>): Promise<number> {
    const ws = new WebSocket(url, { headers });
    ws.on('error', () => undefined);
    const status = await new Promise<number>((resolve) => {
      ws.once('open', () => resolve(101));
      ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.once('close', () => resolve(0));
    });
    ws.terminate();
    return status;
  }

  before(async () => {
    server = await startServer({ allowedOrigins: ['http://teacher.example'] });
    bystanders = await Bystanders.join(server.baseUrl);
  });
  afterEach(() => bystanders.check());
  after(async () => {
    disconnectAll();
    await server.close();
  });

  it('WebSocket handshake: foreign or "null" Origin refused with 403; own, configured or absent Origin accepted', async () => {
    const own = `http://127.0.0.1:${server.port}`;
    assert.equal(await handshakeStatus(wsUrl(), { Origin: 'http://evil.example' }), 403);
    assert.equal(await handshakeStatus(wsUrl(), { Origin: 'null' }), 403);
    assert.equal(await handshakeStatus(wsUrl(), { Origin: `http://127.0.0.1:${server.port + 1}` }), 403);
    assert.equal(await handshakeStatus(wsUrl(), { Origin: own }), 101);
    assert.equal(await handshakeStatus(wsUrl(), { Origin: 'http://teacher.example' }), 101);
    assert.equal(await handshakeStatus(wsUrl(), {}), 101); // non-browser clients send none
  });

  it('Socket.IO handshake: foreign Origin refused on polling (403) and on a direct websocket (engine.io says 400)', async () => {
    const polling = await fetch(`${server.baseUrl}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: 'http://evil.example' } });
    assert.equal(polling.status, 403);
    const direct = `ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`;
    assert.equal(await handshakeStatus(direct, { Origin: 'http://evil.example' }), 400);
    assert.equal(await handshakeStatus(direct, { Origin: `http://127.0.0.1:${server.port}` }), 101);
  });

  it('thousands of headers on an upgrade: 431, connection closed', async () => {
    const headers = Array.from({ length: 3000 }, (_, n) => `X-Filler-${n}: ${n}\r\n`).join('');
    const request = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${headers}\r\n`;
    const response = await rawExchange(server.port, [request]);
    assert.equal(response.status, 431, response.head);
  });

  it('huge Sec-WebSocket-Protocol: 431; a malformed one: 400', async () => {
    const huge = Array.from({ length: 3000 }, (_, n) => `p${n}`).join(', ');
    assert.equal(await handshakeStatus(wsUrl(), { 'Sec-WebSocket-Protocol': huge }), 431);
    assert.equal(await handshakeStatus(wsUrl(), { 'Sec-WebSocket-Protocol': 'a,,b' }), 400);
  });

  it('bad frames get error frames and the connection stays usable', async () => {
    const { ws, frames } = await openWs();
    const cases: Array<[string | Buffer, string]> = [
      ['not json', 'invalid_json'],
      [Buffer.from([1, 2, 3]), 'invalid_frame'],
      ['[1,2]', 'invalid_frame'],
      ['"text"', 'invalid_frame'],
      ['{"type":"shout","text":"x"}', 'unknown_type'],
      ['{"type":"send","clientMsgId":"t1","author":"a","text":5}', 'invalid_message'],
      ['{"type":"send","clientMsgId":"t2","author":"a","text":"b","__proto__":{"polluted":true}}', 'invalid_message'],
      ['{"type":"send","clientMsgId":"t3","author":"a","text":"' + 'z'.repeat(1001) + '"}', 'invalid_message'],
      [`{"type":"send","clientMsgId":"t4","author":"a","text":${'['.repeat(3000)}${']'.repeat(3000)}}`, 'invalid_message'],
    ];
    for (const [data] of cases) ws.send(data, { binary: Buffer.isBuffer(data) });
    await waitFor(() => frames.filter((frame) => frame.type === 'error').length === cases.length, 5000, 'one error per bad frame');
    assert.deepEqual(
      frames.filter((frame) => frame.type === 'error').map((frame) => frame.code),
      cases.map(([, code]) => code),
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    ws.send(JSON.stringify({ type: 'send', ...input('still fine') }));
    await waitFor(() => frames.some((frame) => frame.type === 'ack'), 5000, 'ack after the bad frames');
    ws.close();
  });

  it('an oversize frame closes the connection with 1009', async () => {
    const { ws } = await openWs();
    ws.send(JSON.stringify({ type: 'send', ...input('x'.repeat(20 * 1024)) }));
    const [code] = (await once(ws, 'close')) as [number];
    assert.equal(code, 1009);
  });

  it('a flood of tiny fragments past the frame limit closes with 1009', async () => {
    const { ws } = await openWs();
    const closed = once(ws, 'close');
    for (let n = 0; n < 20_000 && ws.readyState === WebSocket.OPEN; n++) ws.send('x', { fin: false });
    const [code] = (await closed) as [number];
    assert.equal(code, 1009);
  });

  it('fragments within the limit are one message', async () => {
    const { ws, frames } = await openWs();
    const frame = JSON.stringify({ type: 'send', ...input('in many pieces') });
    for (let i = 0; i < frame.length; i++) ws.send(frame[i]!, { fin: i === frame.length - 1 });
    await waitFor(() => frames.some((f) => f.type === 'ack'), 5000, 'ack of the fragmented send');
    ws.close();
  });

  it('Socket.IO: unknown events and bad sends get an ack error; a send without ack is ignored', async () => {
    const socket = io(server.baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    const unknown = (await socket.timeout(5000).emitWithAck('admin', { op: 'kick' })) as { ok: boolean; error: { code: string } };
    assert.deepEqual([unknown.ok, unknown.error.code], [false, 'unknown_event']);
    for (const bad of [null, [1], 'text', { clientMsgId: 'x', author: 'a', text: 5 }, { ...input('y'), extra: 1 }]) {
      const ack = (await socket.timeout(5000).emitWithAck('send', bad)) as { ok: boolean; error: { code: string } };
      assert.deepEqual([ack.ok, ack.error.code], [false, 'invalid_message'], JSON.stringify(bad));
    }
    const before = (await (await fetch(`${server.baseUrl}/api/short-polling/messages`)).json()) as { cursor: number };
    socket.emit('send', input('no ack'));
    const ok = (await socket.timeout(5000).emitWithAck('send', input('with ack'))) as { ok: boolean; message: { id: number } };
    assert.equal(ok.message.id, before.cursor + 1, 'the send without an ack was not appended');
    socket.disconnect();
  });

  it('Socket.IO: a packet claiming too many binary attachments is refused and its connection closed', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
    ws.on('error', () => undefined);
    const packets: string[] = [];
    ws.on('message', (data) => packets.push(wsText(data)));
    await once(ws, 'open');
    ws.send('40');
    await waitFor(() => packets.some((packet) => packet.startsWith('40')), 5000, 'namespace connect');
    ws.send('451000000-["send",{"_placeholder":true,"num":0}]');
    await once(ws, 'close');
    const garbage = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
    garbage.on('error', () => undefined);
    await once(garbage, 'open');
    garbage.send('4999not a packet');
    await once(garbage, 'close');
  });
});
