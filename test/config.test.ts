import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULTS, helpText, loadConfig } from '../src/config.js';

describe('config', () => {
  it('uses the defaults with no flags and no env', () => {
    assert.deepEqual(loadConfig([], {}), DEFAULTS);
  });

  it('takes env, and flags over env', () => {
    const options = loadConfig(['--port', '4000', '--origin', 'http://a.example', '--origin', 'http://b.example'], {
      PORT: '5000',
      HISTORY_LIMIT: '50',
      HOST: '127.0.0.1',
    })!;
    assert.equal(options.port, 4000);
    assert.equal(options.historyLimit, 50);
    assert.equal(options.host, '127.0.0.1');
    assert.deepEqual(options.allowedOrigins, ['http://a.example', 'http://b.example']);
    assert.deepEqual(loadConfig([], { ALLOWED_ORIGINS: 'http://a.example, http://b.example' })!.allowedOrigins, [
      'http://a.example',
      'http://b.example',
    ]);
  });

  it('refuses bad numbers and unknown flags', () => {
    assert.throws(() => loadConfig(['--port', '-1'], {}), ConfigError);
    assert.throws(() => loadConfig(['--port', '1.5'], {}), ConfigError);
    assert.throws(() => loadConfig([], { LONG_POLL_WAIT_MS: 'soon' }), ConfigError);
    assert.throws(() => loadConfig(['--bogus'], {}), ConfigError);
    assert.throws(() => loadConfig(['--port'], {}), ConfigError);
  });

  it('takes the Redis URL, key prefix and node id from flags or env, and refuses bad ones', () => {
    assert.equal(DEFAULTS.redisUrl, '', 'the in-memory room is the default');
    const options = loadConfig(['--redis', 'redis://127.0.0.1:6380', '--node-id', 'n1'], { REDIS_PREFIX: 'demo2:' })!;
    assert.equal(options.redisUrl, 'redis://127.0.0.1:6380');
    assert.equal(options.redisPrefix, 'demo2:');
    assert.equal(options.nodeId, 'n1');
    assert.equal(loadConfig([], { REDIS_URL: 'rediss://cache.internal:6379' })!.redisUrl, 'rediss://cache.internal:6379');
    assert.throws(() => loadConfig(['--redis', 'localhost:6379'], {}), /redis:\/\//);
    assert.throws(() => loadConfig(['--node-id', 'has space'], {}), ConfigError);
  });

  it('returns null for --help, and the help lists every option', () => {
    assert.equal(loadConfig(['--help'], {}), null);
    for (const flag of [
      '--port',
      '--host',
      '--history',
      '--long-poll-wait',
      '--origin',
      '--log-level',
      '--redis',
      '--redis-prefix',
      '--node-id',
    ]) {
      assert.ok(helpText().includes(flag), flag);
    }
  });
});
