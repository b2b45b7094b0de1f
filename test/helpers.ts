// Real servers on port 0 and the real client code, for the node:test suites.
import assert from 'node:assert/strict';
import http from 'node:http';
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

/** Sends `text` with a plain HTTP POST to a transport's messages URL and asserts the `201`. */
export async function postText(url: string, text: string, author = 'tester'): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input(text, author)),
  });
  assert.equal(response.status, 201);
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

/**
 * An SSE stream whose sends keep hitting the rate limit (`streamQuery` on the
 * stream, `sendQuery` on its POSTs: with or without `client=`), beside a
 * neighbour stream with an id of its own. Sends until the flooder's stream
 * ends (at most 50); then closes both.
 */
export async function floodSseStream(
  baseUrl: string,
  { streamQuery, sendQuery }: { streamQuery: string; sendQuery: string },
): Promise<{ flooderStatus: number | undefined; sendStatuses: number[]; neighbourOpen: boolean }> {
  const streams: http.ClientRequest[] = [];
  const openStream = (query: string) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.get(`${baseUrl}/api/sse/messages${query}`, resolve);
      request.on('error', () => undefined);
      request.once('error', reject);
      streams.push(request);
    });
  try {
    const flooder = await openStream(streamQuery);
    const neighbour = await openStream('?client=neighbour1');
    const ended = new Promise<void>((resolve) => flooder.once('end', resolve).resume());
    neighbour.resume();
    const sendStatuses: number[] = [];
    for (let n = 0; n < 50 && !flooder.complete; n++) {
      const response = await fetch(`${baseUrl}/api/sse/messages${sendQuery}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input(`sse flood ${n}`)),
      });
      sendStatuses.push(response.status);
    }
    await ended;
    return { flooderStatus: flooder.statusCode, sendStatuses, neighbourOpen: !neighbour.complete };
  } finally {
    for (const request of streams) request.destroy();
  }
}
