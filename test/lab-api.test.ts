// The lab's HTTP API through inject(): who may change what, and what is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, MIN_PRESENTER_TOKEN_LENGTH } from '../src/config.js';
import type { DropResult, StatsView } from '../src/lab/lab.js';
import type { LabSettings } from '../src/lab/settings.js';
import { buildServer } from '../src/server.js';
import { TRANSPORT_NAMES } from '../src/chat/transports.js';
import type { ErrorReply } from './helpers.js';

const TOKEN = 'presenter-secret';

describe('presenter token option', () => {
  it('comes from --presenter-token, else PRESENTER_TOKEN, else is left for a random one', async () => {
    assert.equal(
      loadConfig(['--presenter-token', 'flag-token-1234'], { PRESENTER_TOKEN: 'env-token-12345' })?.presenterToken,
      'flag-token-1234',
    );
    assert.equal(loadConfig([], { PRESENTER_TOKEN: 'env-token-12345' })?.presenterToken, 'env-token-12345');
    assert.equal(loadConfig([], {})?.presenterToken, '');
    const [one, two] = await Promise.all([buildServer({ logLevel: 'silent' }), buildServer({ logLevel: 'silent' })]);
    assert.ok(one.lab.presenterToken.length >= 20);
    assert.notEqual(one.lab.presenterToken, two.lab.presenterToken);
    await Promise.all([one.close(), two.close()]);
  });
});

describe('presenter token guessing (finding 5)', () => {
  it(`a chosen token shorter than ${MIN_PRESENTER_TOKEN_LENGTH} characters is refused at start-up`, async () => {
    assert.throws(() => loadConfig(['--presenter-token', 'letmein'], {}), ConfigError);
    assert.throws(() => loadConfig([], { PRESENTER_TOKEN: 'x'.repeat(MIN_PRESENTER_TOKEN_LENGTH - 1) }), ConfigError);
    await assert.rejects(buildServer({ logLevel: 'silent', presenterToken: 'short' }), ConfigError);
    assert.equal(
      loadConfig(['--presenter-token', 'x'.repeat(MIN_PRESENTER_TOKEN_LENGTH)], {})?.presenterToken.length,
      MIN_PRESENTER_TOKEN_LENGTH,
    );
  });

  it('wrong tokens from one address: 403 up to the limit, then 429 + Retry-After (even for the right token); other addresses unaffected', async () => {
    const app = await buildServer({ logLevel: 'silent', presenterToken: TOKEN, presenterAttemptsPerMin: 5 });
    try {
      const put = (token: string, remoteAddress = '10.1.1.1') =>
        app.inject({
          method: 'PUT',
          url: '/api/lab',
          remoteAddress,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          payload: '{}',
        });
      const statuses: number[] = [];
      for (let n = 0; n < 8; n++) statuses.push((await put(`guess-${n}`)).statusCode);
      assert.deepEqual(statuses, [403, 403, 403, 403, 403, 429, 429, 429]);
      const locked = await put(TOKEN);
      assert.equal(locked.statusCode, 429, 'a locked-out address learns nothing, even with the right token');
      assert.ok(Number(locked.headers['retry-after']) >= 1);
      assert.equal(locked.json<{ error: { code: string } }>().error.code, 'too_many_attempts');
      assert.equal((await put(TOKEN, '10.1.1.2')).statusCode, 200, 'the presenter on another address is not locked out');
    } finally {
      await app.close();
    }
  });
});

describe('lab API', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildServer({ logLevel: 'silent', presenterToken: TOKEN });
  });
  after(() => app.close());

  const put = (body: unknown, authorization?: string) =>
    app.inject({
      method: 'PUT',
      url: '/api/lab',
      headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
      payload: JSON.stringify(body),
    });
  const drop = (transport: string, authorization = `Bearer ${TOKEN}`) =>
    app.inject({
      method: 'POST',
      url: '/api/lab/drop',
      headers: { 'content-type': 'application/json', authorization },
      payload: JSON.stringify({ transport }),
    });

  it('shows the settings to anyone, all transports at zero at first', async () => {
    const response = await app.inject('/api/lab');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      blockWebSocket: false,
      liftRateLimit: false,
      addedLatencyMs: zeroes(),
      jitterMs: zeroes(),
    });
  });

  it('refuses a change without a token (401) or with a wrong one (403), and changes nothing', async () => {
    const missing = await put({ blockWebSocket: true });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json<ErrorReply>().error.code, 'unauthorized');
    assert.match(missing.headers['www-authenticate'] as string, /^Bearer/);
    for (const authorization of [`Bearer ${TOKEN}x`, 'Bearer p', `Basic ${TOKEN}`]) {
      const wrong = await put({ blockWebSocket: true }, authorization);
      assert.equal(wrong.statusCode, authorization.startsWith('Basic') ? 401 : 403, authorization);
    }
    assert.equal((await app.inject('/api/lab')).json<LabSettings>().blockWebSocket, false);
  });

  it('applies a partial update and keeps what it does not name', async () => {
    const first = await put({ addedLatencyMs: { websocket: 200 }, jitterMs: { 'long-polling': 50 } }, `Bearer ${TOKEN}`);
    assert.equal(first.statusCode, 200);
    const second = await put({ blockWebSocket: true, addedLatencyMs: { socketio: 10 } }, `Bearer ${TOKEN}`);
    const settings = second.json<LabSettings>();
    assert.equal(settings.blockWebSocket, true);
    assert.deepEqual(settings.addedLatencyMs, { ...zeroes(), websocket: 200, socketio: 10 });
    assert.equal(settings.jitterMs['long-polling'], 50);
    assert.deepEqual((await app.inject('/api/lab')).json(), settings);
    await put({ blockWebSocket: false, addedLatencyMs: { websocket: 0, socketio: 0 }, jitterMs: { 'long-polling': 0 } }, `Bearer ${TOKEN}`);
  });

  const badBodies: Array<[string, unknown]> = [
    ['a negative latency', { addedLatencyMs: { websocket: -1 } }],
    ['a latency over 10 s', { addedLatencyMs: { websocket: 10_001 } }],
    ['a fractional latency', { jitterMs: { websocket: 1.5 } }],
    ['a latency as a string', { addedLatencyMs: { websocket: '200' } }],
    ['an unknown transport', { addedLatencyMs: { carrier_pigeon: 200 } }],
    ['an unknown setting', { blockEverything: true }],
    ['a non-boolean switch', { blockWebSocket: 'yes' }],
    ['an array', [1]],
  ];
  for (const [what, body] of badBodies) {
    it(`answers ${what} with 400 invalid_settings`, async () => {
      const response = await put(body, `Bearer ${TOKEN}`);
      assert.equal(response.statusCode, 400);
      assert.equal(response.json<ErrorReply>().error.code, 'invalid_settings');
      assert.equal(typeof response.json<ErrorReply>().error.message, 'string');
    });
  }

  it('checks the token before the body: a bad body without a token is 401', async () => {
    assert.equal((await put({ addedLatencyMs: { websocket: -1 } })).statusCode, 401);
  });

  it('drops on request with the token; short polling has nothing to drop and says so', async () => {
    assert.equal((await drop('websocket', 'Bearer nope')).statusCode, 403);
    const shortPolling = await drop('short-polling');
    assert.equal(shortPolling.statusCode, 200);
    assert.equal(shortPolling.json<DropResult>().dropped, 0);
    assert.match(shortPolling.json<DropResult>().note, /nothing to drop/);
    const websocket = await drop('websocket');
    assert.equal(websocket.statusCode, 200);
    assert.equal(websocket.json<DropResult>().transport, 'websocket');
    assert.deepEqual(websocket.json<DropResult>().nodes, [{ nodeId: app.nodeId, dropped: 0 }]);
    assert.equal((await drop('smoke-signals')).json<ErrorReply>().error.code, 'invalid_settings');
  });

  it('serves stats for every transport: the one node is the whole cluster', async () => {
    const stats = (await app.inject('/api/stats')).json<StatsView & { settings: LabSettings }>();
    assert.deepEqual(Object.keys(stats.transports).sort(), [...TRANSPORT_NAMES].sort());
    assert.equal(typeof stats.cpuShare, 'number');
    assert.equal(typeof stats.transports.websocket.connections, 'number');
    assert.equal(stats.settings.blockWebSocket, false);
    assert.equal(stats.nodeId, app.nodeId);
    assert.equal(stats.nodes.length, 1);
    const { nodeId, ...own } = stats.nodes[0]!;
    assert.equal(nodeId, app.nodeId);
    assert.deepEqual(own, { at: stats.at, intervalMs: stats.intervalMs, cpuShare: stats.cpuShare, transports: stats.transports });
  });

  it('lists the URLs the audience can join on', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { urls } = (await app.inject('/api/lab/join')).json<{ urls: string[] }>();
    assert.deepEqual(urls, [`http://127.0.0.1:${(app.server.address() as { port: number }).port}`]);
  });
});

/** Every transport of the descriptor list at 0 ms. */
function zeroes(): Record<string, number> {
  return Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, 0]));
}
