// Real servers on port 0 and the real client code, for the node:test suites.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { RawData } from 'ws';
import type { ChatError, Message } from '../src/chat/message.js';
import { TRANSPORT_NAMES, type TransportName } from '../src/chat/transports.js';
import { randomId } from '../src/client/base.js';
import { clientTransports } from '../src/client/index.js';
import { NODE_GLOBALS } from '../src/client/node.js';
import type { ClientTransport, ClientTransportOptions, SyncInfo } from '../src/client/transport.js';
import { buildServer, type BuildOptions } from '../src/server.js';

/** Every transport, from the descriptor list. */
export const TRANSPORTS = TRANSPORT_NAMES;

export interface RunningServer {
  app: FastifyInstance;
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(options: BuildOptions = {}): Promise<RunningServer> {
  const app = await buildServer({ logLevel: 'silent', ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, port, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

const liveClients = new Set<ClientTransport>();

/** A client transport as the page would make it, with fast polling for tests. */
export function makeClient(name: TransportName, baseUrl: string, options: Partial<ClientTransportOptions> = {}): ClientTransport {
  const client = clientTransports[name]({
    baseUrl,
    ...NODE_GLOBALS,
    intervalMs: 50,
    ...options,
  });
  liveClients.add(client);
  return client;
}

/** For `after()` hooks: a failed test must not leave clients reconnecting forever. */
export function disconnectAll(): void {
  for (const client of liveClients) client.disconnect();
  liveClients.clear();
}

/** Everything a client receives, with waits on counts and syncs. */
export class Recorder {
  readonly messages: Message[] = [];
  readonly syncs: SyncInfo[] = [];
  readonly resets: string[] = [];
  constructor(readonly client: ClientTransport) {
    client.on('message', (message) => this.messages.push(message));
    client.on('sync', (info) => this.syncs.push(info));
    client.on('reset', (epoch) => this.resets.push(epoch));
  }

  ids(): number[] {
    return this.messages.map((message) => message.id);
  }

  waitForMessages(count: number, timeoutMs = 5000): Promise<void> {
    return waitFor(() => this.messages.length >= count, timeoutMs, `${this.client.name}: ${this.messages.length}/${count} messages`);
  }

  waitForSyncs(count: number, timeoutMs = 5000): Promise<void> {
    return waitFor(() => this.syncs.length >= count, timeoutMs, `${this.client.name}: ${this.syncs.length}/${count} syncs`);
  }
}

/** Connects and waits until the client is synced (its first catch-up is done). */
export async function connected(client: ClientTransport): Promise<Recorder> {
  const recorder = new Recorder(client);
  client.connect();
  await recorder.waitForSyncs(1);
  return recorder;
}

/** One connected client of every transport of the descriptor list, each with its recorder, in the list's order. */
export function connectEvery(baseUrl: string, options: Partial<ClientTransportOptions> = {}): Promise<Recorder[]> {
  return Promise.all(TRANSPORTS.map((name) => connected(makeClient(name, baseUrl, options))));
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function input(text: string, author = 'tester'): { clientMsgId: string; author: string; text: string } {
  return { clientMsgId: randomId(), author, text };
}

/** Asserts ids strictly increase (no duplicate, no reordering). */
export function isStrictlyIncreasing(ids: number[]): boolean {
  return ids.every((id, index) => index === 0 || id > ids[index - 1]!);
}

/** A `ws` message as text. (binaryType is ws's default, 'nodebuffer': a message is one Buffer.) */
export function wsText(data: RawData): string {
  return (data as Buffer).toString();
}

/** The HTTP API's JSON bodies, for typed `inject()` replies: `response.json<MessageReply>()`. */
export interface MessageReply {
  message: Message;
}
export interface ErrorReply {
  error: ChatError;
}
