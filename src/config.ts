// Server options from CLI flags and environment variables, with defaults.
import { parseArgs } from 'node:util';
import { DEFAULT_PRESENCE_WINDOW_MS } from './lab/presence.js';

export interface ServerOptions {
  port: number;
  host: string;
  /** Messages kept for replay. */
  historyLimit: number;
  /** Largest HTTP body, WebSocket frame or Socket.IO packet, in bytes. */
  maxPayloadBytes: number;
  /** Long-poll hold when the request names no `wait`, and the largest `wait` accepted, in ms. */
  longPollWaitMs: number;
  longPollMaxWaitMs: number;
  /** Held long polls across all clients before new ones get 503. */
  longPollMaxHeld: number;
  /** WebSocket ping period; a client that misses one pong is terminated. */
  pingIntervalMs: number;
  /** A WebSocket or Socket.IO client whose unsent buffer exceeds this is cut off (a slow consumer). */
  maxBufferedBytes: number;
  /** Origins allowed on WebSocket and Socket.IO handshakes besides the server's own. */
  allowedOrigins: string[];
  /** Default short-poll interval the page starts with, in ms. */
  shortPollIntervalMs: number;
  logLevel: string;
  /** The presenter's token for the lab controls; empty = a random one per start. */
  presenterToken: string;
  /** Send rate limiting on (the benchmark and chaos runs switch it off). */
  rateLimit: boolean;
  /** Sustained sends per second and burst, per client (connection or HTTP client id). */
  sendRatePerClient: number;
  sendBurstPerClient: number;
  /** The ceiling for all clients behind one IP address (a room shares one Wi-Fi address). */
  sendRatePerIp: number;
  sendBurstPerIp: number;
  /** New client ids (HTTP `client=`, WebSocket connections, Socket.IO sockets) that may start sending, per IP: per second and at once. */
  newClientRatePerIp: number;
  newClientBurstPerIp: number;
  /** Open WebSocket and Socket.IO connections (Engine.IO sessions included) per IP address. */
  maxConnectionsPerIp: number;
  /** Open TCP connections per IP address, whatever they carry; more are closed at once. */
  maxTcpConnectionsPerIp: number;
  /** Most messages in one poll reply; a longer catch-up says `more: true` and the client asks again at once. */
  pollBatchMessages: number;
  /** Catch-up bytes (messages older than a few seconds) one IP may be sent, per second and at once. */
  catchupBytesPerSecPerIp: number;
  catchupBurstBytesPerIp: number;
  /** Wrong presenter tokens one IP may try per minute before 429. */
  presenterAttemptsPerMin: number;
  /** Host names accepted besides localhost and the machine's own addresses (DNS rebinding guard). */
  allowedHosts: string[];
  /** Held long polls per IP address (one per client anyway). */
  longPollMaxHeldPerIp: number;
  /** A request (headers and body) must be complete within this; above the long-poll hold. */
  requestTimeoutMs: number;
  /** Redis URL: the room lives in Redis, shared by every node given the same URL and prefix. Empty = in memory. */
  redisUrl: string;
  /** Every Redis key starts with this, so two demos can share one Redis. */
  redisPrefix: string;
  /** This node's short name in `/api/config`, welcomes and poll replies; empty = random per start. */
  nodeId: string;
  /** A client counts as a participant for this long after it was last seen (a request, or an open connection). */
  presenceWindowMs: number;
}

/** A chosen presenter token shorter than this is refused: it would be guessed. */
export const MIN_PRESENTER_TOKEN_LENGTH = 12;

export const DEFAULTS: ServerOptions = {
  port: 3000,
  host: '0.0.0.0',
  historyLimit: 1000,
  maxPayloadBytes: 16 * 1024,
  longPollWaitMs: 25_000,
  longPollMaxWaitMs: 30_000,
  longPollMaxHeld: 10_000,
  pingIntervalMs: 30_000,
  maxBufferedBytes: 1024 * 1024,
  allowedOrigins: [],
  shortPollIntervalMs: 1000,
  logLevel: 'info',
  presenterToken: '',
  rateLimit: true,
  sendRatePerClient: 5,
  sendBurstPerClient: 20,
  sendRatePerIp: 400,
  sendBurstPerIp: 400,
  newClientRatePerIp: 10,
  newClientBurstPerIp: 300,
  maxConnectionsPerIp: 1000,
  maxTcpConnectionsPerIp: 5000,
  pollBatchMessages: 200,
  catchupBytesPerSecPerIp: 2_000_000,
  catchupBurstBytesPerIp: 8_000_000,
  presenterAttemptsPerMin: 10,
  allowedHosts: [],
  longPollMaxHeldPerIp: 1000,
  requestTimeoutMs: 40_000,
  redisUrl: '',
  redisPrefix: 'transport-lab:',
  nodeId: '',
  presenceWindowMs: DEFAULT_PRESENCE_WINDOW_MS,
};

interface Flag {
  key: Exclude<
    keyof ServerOptions,
    'allowedOrigins' | 'allowedHosts' | 'host' | 'logLevel' | 'presenterToken' | 'rateLimit' | 'redisUrl' | 'redisPrefix' | 'nodeId'
  >;
  env: string;
  help: string;
}

const NUMERIC_FLAGS: Record<string, Flag> = {
  port: { key: 'port', env: 'PORT', help: 'port to listen on' },
  history: { key: 'historyLimit', env: 'HISTORY_LIMIT', help: 'messages kept for replay' },
  'max-payload': { key: 'maxPayloadBytes', env: 'MAX_PAYLOAD_BYTES', help: 'largest body, frame or packet in bytes' },
  'long-poll-wait': { key: 'longPollWaitMs', env: 'LONG_POLL_WAIT_MS', help: 'default long-poll hold in ms' },
  'long-poll-max-wait': { key: 'longPollMaxWaitMs', env: 'LONG_POLL_MAX_WAIT_MS', help: 'largest wait= accepted in ms' },
  'long-poll-max-held': { key: 'longPollMaxHeld', env: 'LONG_POLL_MAX_HELD', help: 'held polls before 503' },
  'ping-interval': { key: 'pingIntervalMs', env: 'PING_INTERVAL_MS', help: 'WebSocket ping period in ms' },
  'max-buffered': { key: 'maxBufferedBytes', env: 'MAX_BUFFERED_BYTES', help: 'WebSocket and Socket.IO send buffer cap in bytes' },
  'short-poll-interval': { key: 'shortPollIntervalMs', env: 'SHORT_POLL_INTERVAL_MS', help: "page's default short-poll interval in ms" },
  'send-rate': { key: 'sendRatePerClient', env: 'SEND_RATE', help: 'sends per second per client, sustained' },
  'send-burst': { key: 'sendBurstPerClient', env: 'SEND_BURST', help: 'sends per client at once after a pause' },
  'send-rate-per-ip': { key: 'sendRatePerIp', env: 'SEND_RATE_PER_IP', help: 'sends per second for all clients of one IP' },
  'send-burst-per-ip': { key: 'sendBurstPerIp', env: 'SEND_BURST_PER_IP', help: 'burst for all clients of one IP' },
  'new-clients-per-ip': { key: 'newClientRatePerIp', env: 'NEW_CLIENTS_PER_IP', help: 'new sending client ids per second per IP' },
  'new-clients-burst-per-ip': {
    key: 'newClientBurstPerIp',
    env: 'NEW_CLIENTS_BURST_PER_IP',
    help: 'new sending client ids per IP at once',
  },
  'max-connections-per-ip': {
    key: 'maxConnectionsPerIp',
    env: 'MAX_CONNECTIONS_PER_IP',
    help: 'open WebSocket + Socket.IO connections (Engine.IO sessions) per IP',
  },
  'max-tcp-connections-per-ip': {
    key: 'maxTcpConnectionsPerIp',
    env: 'MAX_TCP_CONNECTIONS_PER_IP',
    help: 'open TCP connections per IP (more are closed at once)',
  },
  'poll-batch': { key: 'pollBatchMessages', env: 'POLL_BATCH', help: 'most messages in one poll reply (then more: true)' },
  'catchup-rate-per-ip': { key: 'catchupBytesPerSecPerIp', env: 'CATCHUP_RATE_PER_IP', help: 'catch-up bytes per second per IP' },
  'catchup-burst-per-ip': { key: 'catchupBurstBytesPerIp', env: 'CATCHUP_BURST_PER_IP', help: 'catch-up bytes per IP at once' },
  'presenter-attempts': {
    key: 'presenterAttemptsPerMin',
    env: 'PRESENTER_ATTEMPTS_PER_MIN',
    help: 'wrong presenter tokens per IP per minute before 429',
  },
  'long-poll-max-held-per-ip': { key: 'longPollMaxHeldPerIp', env: 'LONG_POLL_MAX_HELD_PER_IP', help: 'held polls per IP before 429' },
  'presence-window': {
    key: 'presenceWindowMs',
    env: 'PRESENCE_WINDOW_MS',
    help: 'a client counts as a participant this long after it was last seen, in ms',
  },
  'request-timeout': {
    key: 'requestTimeoutMs',
    env: 'REQUEST_TIMEOUT_MS',
    help: 'time to receive a whole request in ms (> long-poll max wait)',
  },
};

export function helpText(): string {
  const rows = [
    ['--host HOST', 'HOST', `address to listen on (default ${DEFAULTS.host})`],
    ...Object.entries(NUMERIC_FLAGS).map(([name, flag]) => [`--${name} N`, flag.env, `${flag.help} (default ${DEFAULTS[flag.key]})`]),
    ['--rate-limit on|off', 'RATE_LIMIT', 'send rate limit; off for benchmarks (default on)'],
    ['--origin URL', 'ALLOWED_ORIGINS', 'extra origin allowed on WS/Socket.IO handshakes; repeat, or comma-separate in env'],
    ['--allowed-host NAME', 'ALLOWED_HOSTS', 'extra Host name accepted (besides localhost and own addresses); repeat, or comma-separate'],
    [
      '--presenter-token TOKEN',
      'PRESENTER_TOKEN',
      `token for the lab controls, at least ${MIN_PRESENTER_TOKEN_LENGTH} characters (default: random, printed at start-up)`,
    ],
    ['--redis URL', 'REDIS_URL', 'keep the room in Redis, shared by every node with the same URL and prefix (default: in memory)'],
    ['--redis-prefix PREFIX', 'REDIS_PREFIX', `prefix of every Redis key (default ${DEFAULTS.redisPrefix})`],
    ['--node-id ID', 'NODE_ID', "this node's short name, shown per pane (default: random per start)"],
    ['--log-level LEVEL', 'LOG_LEVEL', `fatal|error|warn|info|debug|silent (default ${DEFAULTS.logLevel})`],
    ['-h, --help', '', 'print this help'],
  ];
  const width = Math.max(...rows.map((row) => row[0]!.length));
  const envWidth = Math.max(...rows.map((row) => row[1]!.length));
  return [
    'Usage: npm start -- [options]   (or: node dist/src/main.js [options])',
    '',
    'Runs Transport Lab: one chat room over short polling, long polling, WebSocket and Socket.IO.',
    'Flags win over environment variables, which win over defaults.',
    '',
    ...rows.map(([flag, env, help]) => `  ${flag!.padEnd(width)}  ${env!.padEnd(envWidth)}  ${help}`),
  ].join('\n');
}

export class ConfigError extends Error {}

function toPositiveInt(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        host: { type: 'string' },
        origin: { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        'presenter-token': { type: 'string' },
        'rate-limit': { type: 'string' },
        redis: { type: 'string' },
        'redis-prefix': { type: 'string' },
        'node-id': { type: 'string' },
        ...Object.fromEntries(Object.keys(NUMERIC_FLAGS).map((name) => [name, { type: 'string' as const }])),
      },
    }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message); // unknown flag, missing value
  }
}

/** Returns null when help was asked for. Throws ConfigError on bad input. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerOptions | null {
  const values = parseFlags(argv);
  if (values.help) return null;

  const options: ServerOptions = { ...DEFAULTS };
  for (const [name, flag] of Object.entries(NUMERIC_FLAGS)) {
    const raw = (values as Record<string, unknown>)[name] ?? env[flag.env];
    if (typeof raw === 'string' && raw !== '') options[flag.key] = toPositiveInt(`--${name}`, raw);
  }
  options.host = values.host ?? env.HOST ?? DEFAULTS.host;
  options.logLevel = values['log-level'] ?? env.LOG_LEVEL ?? DEFAULTS.logLevel;
  options.presenterToken = values['presenter-token'] ?? env.PRESENTER_TOKEN ?? DEFAULTS.presenterToken;
  options.redisUrl = values.redis ?? env.REDIS_URL ?? DEFAULTS.redisUrl;
  options.redisPrefix = values['redis-prefix'] ?? env.REDIS_PREFIX ?? DEFAULTS.redisPrefix;
  options.nodeId = values['node-id'] ?? env.NODE_ID ?? DEFAULTS.nodeId;
  const origins = values.origin ?? env.ALLOWED_ORIGINS?.split(',') ?? [];
  options.allowedOrigins = origins.map((origin) => origin.trim()).filter(Boolean);
  const hosts = values['allowed-host'] ?? env.ALLOWED_HOSTS?.split(',') ?? [];
  options.allowedHosts = hosts.map((host) => host.trim().toLowerCase()).filter(Boolean);
  const rateLimit = values['rate-limit'] ?? env.RATE_LIMIT;
  if (rateLimit !== undefined && rateLimit !== '') {
    if (rateLimit !== 'on' && rateLimit !== 'off') throw new ConfigError(`--rate-limit must be on or off, got "${rateLimit}"`);
    options.rateLimit = rateLimit === 'on';
  }
  checkConsistency(options);
  return options;
}

/** Limits that only make sense together. */
export function checkConsistency(options: ServerOptions): void {
  if (options.requestTimeoutMs <= options.longPollMaxWaitMs) {
    throw new ConfigError(
      `--request-timeout (${options.requestTimeoutMs}) must be above --long-poll-max-wait (${options.longPollMaxWaitMs}), or held polls would be cut`,
    );
  }
  if (options.redisUrl !== '' && !/^rediss?:\/\//.test(options.redisUrl)) {
    throw new ConfigError(`--redis must be a redis:// or rediss:// URL, got "${options.redisUrl}"`);
  }
  if (!/^[A-Za-z0-9._-]{0,32}$/.test(options.nodeId)) {
    throw new ConfigError(`--node-id must be at most 32 letters, digits, dots, dashes or underscores, got "${options.nodeId}"`);
  }
  for (const key of ['sendRatePerClient', 'sendBurstPerClient', 'sendRatePerIp', 'sendBurstPerIp', 'newClientBurstPerIp'] as const) {
    if (options.rateLimit && options[key] < 1) throw new ConfigError(`${key} must be at least 1 while the rate limit is on`);
  }
  if (options.presenterToken !== '' && options.presenterToken.length < MIN_PRESENTER_TOKEN_LENGTH) {
    throw new ConfigError(
      `--presenter-token must be at least ${MIN_PRESENTER_TOKEN_LENGTH} characters (or leave it unset for a random one)`,
    );
  }
  if (options.pollBatchMessages < 1) throw new ConfigError('--poll-batch must be at least 1');
}
