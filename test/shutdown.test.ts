// The real entry point: starts, prints its URL, and on SIGTERM answers held
// polls, closes sockets with 1001 and exits 0 within a few seconds.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

describe('npm start entry point', () => {
  it('prints usage for --help and exits 0', async () => {
    const child = spawn(process.execPath, [MAIN, '--help']);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.match(out, /--port N\s+PORT/);
  });

  it('refuses a bad flag with exit code 2 and the usage', async () => {
    const child = spawn(process.execPath, [MAIN, '--port', 'abc']);
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(err, /--port must be a non-negative integer/);
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, '--port', '0', '--host', '127.0.0.1', '--log-level', 'silent']);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const deadline = Date.now() + 10_000;
    while (!/localhost:(\d+)/.test(out)) {
      assert.ok(Date.now() < deadline, `no URL printed: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const port = Number(/localhost:(\d+)/.exec(out)![1]);
    const base = `http://127.0.0.1:${port}`;

    const { cursor } = (await (await fetch(`${base}/api/long-polling/messages`)).json()) as { cursor: number };
    const heldPoll = fetch(`${base}/api/long-polling/messages?since=${cursor}&wait=30000`);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await once(ws, 'message'); // welcome
    const closed = once(ws, 'close');

    const started = Date.now();
    child.kill('SIGTERM');
    const poll = await heldPoll;
    assert.equal(poll.status, 200);
    assert.deepEqual(((await poll.json()) as { messages: unknown[] }).messages, []);
    const [closeCode] = (await closed) as [number];
    assert.equal(closeCode, 1001);
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    assert.equal(exitCode, 0);
    assert.ok(Date.now() - started < 5000, 'exit within 5 s');
  });
});
