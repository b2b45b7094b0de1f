// The benchmark's lean EventSource (bench/event-source.ts) under the real SSE
// client code against a real server: the welcome, live messages, its own
// reconnect with Last-Event-ID after the lab cuts the stream, and giving up
// for good on a refusal, as the standard EventSource does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LeanEventSource, LeanEventSourceClass, type LeanEvent } from '../bench/event-source.js';
import type { Message } from '../src/chat/message.js';
import type { SseTransport } from '../src/client/sse.js';
import type { EventSourceConstructor } from '../src/client/transport.js';
import { connected, disconnectAll, input, isStrictlyIncreasing, makeClient, startServer, waitFor, type RunningServer } from './helpers.js';

describe('the lean EventSource (benchmark)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ rateLimit: false });
  });
  after(async () => {
    disconnectAll();
    await server.close();
  });

  it('carries the welcome and live messages to the SSE client', async () => {
    const client = makeClient('sse', server.baseUrl, { EventSource: LeanEventSourceClass }) as SseTransport;
    const recorder = await connected(client);
    assert.equal(client.readyState, LeanEventSource.OPEN);
    assert.match(client.detail, /readyState OPEN/);
    const sent: number[] = [];
    for (let n = 0; n < 5; n++) sent.push((await client.send(input(`live ${n}`))).id);
    await recorder.waitForMessages(sent.length);
    assert.deepEqual(recorder.ids(), sent);
    assert.ok(client.traffic.bytesIn > 0);
    client.disconnect();
  });

  it('after a cut reconnects by itself with Last-Event-ID: every message once, in order, at the EventSource too', async () => {
    // Every event as the EventSource hands it to the client: a replay from the first request's query would double some here.
    const atSource: number[] = [];
    class Watched extends LeanEventSource {
      constructor(url: string) {
        super(url);
        this.addEventListener('message', (event: LeanEvent) => atSource.push((JSON.parse(event.data) as Message).id));
      }
    }
    const client = makeClient('sse', server.baseUrl, { EventSource: Watched as unknown as EventSourceConstructor }) as SseTransport;
    const recorder = await connected(client);
    const sent = [(await client.send(input('before the cut'))).id];
    await recorder.waitForMessages(1);
    assert.ok(server.app.lab.dropHere('sse') >= 1, 'a stream was cut');
    // Sent over another client while the stream is down: the reconnect must bring them, once.
    const sender = makeClient('long-polling', server.baseUrl);
    await connected(sender);
    for (let n = 0; n < 5; n++) sent.push((await sender.send(input(`during the cut ${n}`))).id);
    await recorder.waitForMessages(sent.length, 10_000);
    sent.push((await client.send(input('after'))).id);
    await recorder.waitForMessages(sent.length);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for a stray duplicate
    assert.equal(client.ownReconnects, 1, "the EventSource's own reconnect, not our client's");
    assert.deepEqual(recorder.ids(), sent);
    assert.deepEqual(atSource, sent, 'the replay started at Last-Event-ID, not at the query');
    assert.ok(isStrictlyIncreasing(atSource));
    client.disconnect();
    sender.disconnect();
  });

  it('gives up for good on a refusal: CLOSED, one error event, no reconnect', async () => {
    const source = new LeanEventSource(`${server.baseUrl}/api/sse/messages?since=-1`);
    let errors = 0;
    source.addEventListener('error', () => errors++);
    await waitFor(() => errors > 0, 5000, 'the error event');
    assert.equal(source.readyState, LeanEventSource.CLOSED);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the default retry: nothing more
    assert.equal(errors, 1);
  });
});
