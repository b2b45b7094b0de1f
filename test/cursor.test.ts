// Unit tests of src/transports/cursor.ts: one set of rules for `since` and `epoch` on every transport.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CURSOR_PATTERN, parseCursor } from '../src/transports/cursor.js';

describe('parseCursor', () => {
  it('absent since (undefined or null) joins live', () => {
    assert.deepEqual(parseCursor(undefined, undefined), { ok: true, value: { since: undefined, epoch: undefined } });
    assert.deepEqual(parseCursor(null, null), { ok: true, value: { since: undefined, epoch: undefined } });
  });

  it('takes non-negative safe integers as numbers or canonical decimal strings', () => {
    for (const [raw, since] of [
      [0, 0],
      ['0', 0],
      [42, 42],
      ['42', 42],
      ['999999999999999', 999_999_999_999_999],
    ] as const) {
      const parsed = parseCursor(raw, 'e1');
      assert.deepEqual(parsed, { ok: true, value: { since, epoch: 'e1' } }, String(raw));
    }
  });

  it('refuses signs, exponents, fractions, leading zeros, hex, too many digits and other types', () => {
    for (const raw of [
      -1,
      1.5,
      Number.MAX_SAFE_INTEGER + 2,
      '-1',
      '1e3',
      '1.5',
      '01',
      '0x10',
      '1234567890123456',
      '',
      ' 1',
      true,
      {},
      [],
    ]) {
      const parsed = parseCursor(raw, undefined);
      assert.ok(!parsed.ok && parsed.error.code === 'invalid_query', JSON.stringify(raw));
    }
  });

  it('an epoch is a string of 1-64 characters', () => {
    assert.ok(parseCursor(1, 'e'.repeat(64)).ok);
    for (const epoch of ['', 'e'.repeat(65), 5, {}]) assert.ok(!parseCursor(1, epoch).ok, JSON.stringify(epoch));
  });

  it('the HTTP query schema uses the same pattern', () => {
    const pattern = new RegExp(CURSOR_PATTERN);
    assert.ok(pattern.test('0') && pattern.test('15') && !pattern.test('015') && !pattern.test('1e2'));
  });
});
