// Server options from CLI flags and environment variables, with defaults.
import { parseArgs } from 'node:util';
import { TRANSPORTS } from './chat/transports.js';
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

type NumericKey = { [K in keyof ServerOptions]: ServerOptions[K] extends number ? K : never }[keyof ServerOptions];
type StringKey = { [K in keyof ServerOptions]: ServerOptions[K] extends string ? K : never }[keyof ServerOptions];

/** A flag (`--name`), the option it sets, its environment variable and its help. */
type Flag<Key> = readonly [name: string, key: Key, env: string, help: string];

/** Non-negative integers; the help adds each one's default. */
const NUMERIC_FLAGS: ReadonlyArray<Flag<NumericKey>> = [
  ['port', 'port', 'PORT', 'port to listen on'],
  ['history', 'historyLimit', 'HISTORY_LIMIT', 'messages kept for replay'],
  ['max-payload', 'maxPayloadBytes', 'MAX_PAYLOAD_BYTES', 'largest body, frame or packet in bytes'],
  ['long-poll-wait', 'longPollWaitMs', 'LONG_POLL_WAIT_MS', 'default long-poll hold in ms'],
  ['long-poll-max-wait', 'longPollMaxWaitMs', 'LONG_POLL_MAX_WAIT_MS', 'largest wait= accepted in ms'],
  ['long-poll-max-held', 'longPollMaxHeld', 'LONG_POLL_MAX_HELD', 'held polls before 503'],
  ['ping-interval', 'pingIntervalMs', 'PING_INTERVAL_MS', 'WebSocket ping period in ms'],
  ['max-buffered', 'maxBufferedBytes', 'MAX_BUFFERED_BYTES', 'WebSocket and Socket.IO send buffer cap in bytes'],
  ['short-poll-interval', 'shortPollIntervalMs', 'SHORT_POLL_INTERVAL_MS', "page's default short-poll interval in ms"],
  ['send-rate', 'sendRatePerClient', 'SEND_RATE', 'sends per second per client, sustained'],
  ['send-burst', 'sendBurstPerClient', 'SEND_BURST', 'sends per client at once after a pause'],
  ['send-rate-per-ip', 'sendRatePerIp', 'SEND_RATE_PER_IP', 'sends per second for all clients of one IP'],
  ['send-burst-per-ip', 'sendBurstPerIp', 'SEND_BURST_PER_IP', 'burst for all clients of one IP'],
  ['new-clients-per-ip', 'newClientRatePerIp', 'NEW_CLIENTS_PER_IP', 'new sending client ids per second per IP'],
  ['new-clients-burst-per-ip', 'newClientBurstPerIp', 'NEW_CLIENTS_BURST_PER_IP', 'new sending client ids per IP at once'],
  [
    'max-connections-per-ip',
    'maxConnectionsPerIp',
    'MAX_CONNECTIONS_PER_IP',
    'open WebSocket + Socket.IO connections (Engine.IO sessions) per IP',
  ],
  [
    'max-tcp-connections-per-ip',
    'maxTcpConnectionsPerIp',
    'MAX_TCP_CONNECTIONS_PER_IP',
    'open TCP connections per IP (more are closed at once)',
  ],
  ['poll-batch', 'pollBatchMessages', 'POLL_BATCH', 'most messages in one poll reply (then more: true)'],
  ['catchup-rate-per-ip', 'catchupBytesPerSecPerIp', 'CATCHUP_RATE_PER_IP', 'catch-up bytes per second per IP'],
  ['catchup-burst-per-ip', 'catchupBurstBytesPerIp', 'CATCHUP_BURST_PER_IP', 'catch-up bytes per IP at once'],
  ['presenter-attempts', 'presenterAttemptsPerMin', 'PRESENTER_ATTEMPTS_PER_MIN', 'wrong presenter tokens per IP per minute before 429'],
  ['long-poll-max-held-per-ip', 'longPollMaxHeldPerIp', 'LONG_POLL_MAX_HELD_PER_IP', 'held polls per IP before 429'],
  ['presence-window', 'presenceWindowMs', 'PRESENCE_WINDOW_MS', 'a client counts as a participant this long after it was last seen, in ms'],
  ['request-timeout', 'requestTimeoutMs', 'REQUEST_TIMEOUT_MS', 'time to receive a whole request in ms (> long-poll max wait)'],
];

/** Strings taken as given (`--name VALUE`, VALUE as the last field names it); the help says each one's default itself. */
const STRING_FLAGS: ReadonlyArray<readonly [...Flag<StringKey>, value: string]> = [
  ['host', 'host', 'HOST', `address to listen on (default ${DEFAULTS.host})`, 'HOST'],
  [
    'presenter-token',
    'presenterToken',
    'PRESENTER_TOKEN',
    `token for the lab controls, at least ${MIN_PRESENTER_TOKEN_LENGTH} characters (default: random, printed at start-up)`,
    'TOKEN',
  ],
  [
    'redis',
    'redisUrl',
    'REDIS_URL',
    'keep the room, lab settings and send limits in Redis, shared by every node with the same URL and prefix (default: in memory)',
    'URL',
  ],
  ['redis-prefix', 'redisPrefix', 'REDIS_PREFIX', `prefix of every Redis key (default ${DEFAULTS.redisPrefix})`, 'PREFIX'],
  ['node-id', 'nodeId', 'NODE_ID', "this node's short name, shown per pane (default: random per start)", 'ID'],
  ['log-level', 'logLevel', 'LOG_LEVEL', `fatal|error|warn|info|debug|silent (default ${DEFAULTS.logLevel})`, 'LEVEL'],
];

export function helpText(): string {
  const rows = [
    ...NUMERIC_FLAGS.map(([name, key, env, help]) => [`--${name} N`, env, `${help} (default ${DEFAULTS[key]})`]),
    ...STRING_FLAGS.map(([name, , env, help, value]) => [`--${name} ${value}`, env, help]),
    ['--rate-limit on|off', 'RATE_LIMIT', 'send rate limit; off for benchmarks (default on)'],
    ['--origin URL', 'ALLOWED_ORIGINS', 'extra origin allowed on WS/Socket.IO handshakes; repeat, or comma-separate in env'],
    ['--allowed-host NAME', 'ALLOWED_HOSTS', 'extra Host name accepted (besides localhost and own addresses); repeat, or comma-separate'],
    ['-h, --help', '', 'print this help'],
  ];
  const width = Math.max(...rows.map((row) => row[0]!.length));
  const envWidth = Math.max(...rows.map((row) => row[1]!.length));
  return [
    'Usage: npm start -- [options]   (or: node dist/src/main.js [options])',
    '',
    `Runs Transport Lab: one chat room over ${new Intl.ListFormat('en').format(TRANSPORTS.map((transport) => transport.displayName))}.`,
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
        origin: { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        'rate-limit': { type: 'string' },
        ...Object.fromEntries([...NUMERIC_FLAGS, ...STRING_FLAGS].map(([name]) => [name, { type: 'string' as const }])),
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
  const given = (name: string, envName: string): string | undefined => (values as Record<string, string | undefined>)[name] ?? env[envName];
  for (const [name, key, envName] of NUMERIC_FLAGS) {
    const raw = given(name, envName);
    if (raw !== undefined && raw !== '') options[key] = toPositiveInt(`--${name}`, raw);
  }
  for (const [name, key, envName] of STRING_FLAGS) options[key] = given(name, envName) ?? DEFAULTS[key];
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
