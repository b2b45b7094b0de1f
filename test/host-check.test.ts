// The Host check remembers the headers it allowed, and nothing else.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { HostCheck } from '../src/http/host-check.js';

const request = (host: string | undefined) => ({ headers: { host } }) as IncomingMessage;

describe('HostCheck', () => {
  it('gives the same verdict on every repeat of a Host header', () => {
    const check = new HostCheck(['chat.example']);
    for (let round = 0; round < 3; round++) {
      assert.equal(check.allows(request('localhost:3000')), true);
      assert.equal(check.allows(request('CHAT.example.')), true);
      assert.equal(check.allows(request('[::1]:3000')), true);
      assert.equal(check.allows(request('evil.example:3000')), false);
      assert.equal(check.allows(request('localhost:3000 evil')), false);
      assert.equal(check.allows(request(undefined)), false);
    }
  });

  it('still judges new ports of an allowed name once many were remembered', () => {
    const check = new HostCheck();
    for (let port = 1; port <= 1000; port++) assert.equal(check.allows(request(`127.0.0.1:${port}`)), true);
    assert.equal(check.allows(request('evil.example:1')), false);
  });
});
