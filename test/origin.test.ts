// Unit tests of src/transports/origin.ts: the Cross-Site WebSocket Hijacking guard.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { isOriginAllowed } from '../src/transports/origin.js';

const request = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('isOriginAllowed', () => {
  it('no Origin (a non-browser client) is allowed', () => {
    assert.ok(isOriginAllowed(request({ host: 'localhost:3000' }), []));
  });

  it('the same host and port is allowed; another port, host or scheme-less junk is not', () => {
    const host = { host: '192.168.1.20:3000' };
    assert.ok(isOriginAllowed(request({ ...host, origin: 'http://192.168.1.20:3000' }), []));
    assert.ok(!isOriginAllowed(request({ ...host, origin: 'http://192.168.1.20:3001' }), []));
    assert.ok(!isOriginAllowed(request({ ...host, origin: 'http://evil.example' }), []));
    assert.ok(!isOriginAllowed(request({ ...host, origin: 'null' }), []));
    assert.ok(!isOriginAllowed(request({ ...host, origin: 'not a url' }), []));
  });

  it('a configured origin is allowed exactly', () => {
    const allowed = ['http://teacher.example'];
    assert.ok(isOriginAllowed(request({ host: 'localhost', origin: 'http://teacher.example' }), allowed));
    assert.ok(!isOriginAllowed(request({ host: 'localhost', origin: 'http://teacher.example.evil' }), allowed));
  });
});
