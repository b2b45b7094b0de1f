// Helpers for the hostile-input tests: raw sockets that say what a well-behaved
// client never would, and bystanders that must not notice.
import net from 'node:net';
import type { ClientTransport } from '../../src/client/transport.js';
import { connected, input, makeClient, TRANSPORTS, waitFor, type Recorder } from '../helpers.js';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Writes `chunks` to a fresh TCP connection and reads until the server closes or `untilMs` passes. */
export async function rawExchange(port: number, chunks: Array<string | Buffer>, untilMs = 5000): Promise<RawResponse> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // a reset by the server is an answer too
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  for (const chunk of chunks) if (socket.writable) socket.write(chunk);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, untilMs)))]);
  clearTimeout(timer);
  socket.destroy();
  return parseResponse(data);
}

export function parseResponse(data: string): RawResponse {
  const split = data.indexOf('\r\n\r\n');
  const head = split === -1 ? data : data.slice(0, split);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body: split === -1 ? '' : data.slice(split + 4) };
}

/** One connected client per transport; check() proves they all still get every message. */
export class Bystanders {
  #clients: ClientTransport[] = [];
  #recorders: Recorder[] = [];
  #rounds = 0;

  static async join(baseUrl: string): Promise<Bystanders> {
    const bystanders = new Bystanders();
    for (const name of TRANSPORTS) {
      const client = makeClient(name, baseUrl, { waitMs: 1000 }); // within the test servers' shorter holds
      bystanders.#clients.push(client);
      bystanders.#recorders.push(await connected(client));
    }
    return bystanders;
  }

  /** Each bystander sends one message in turn; every bystander must get all of them. */
  async check(): Promise<void> {
    const sender = this.#clients[this.#rounds++ % this.#clients.length]!;
    const { id } = await sender.send(input(`bystander check ${this.#rounds}`, 'bystander'));
    await waitFor(() => this.#recorders.every((recorder) => recorder.ids().includes(id)), 10_000, `every bystander got message ${id}`);
    for (const recorder of this.#recorders) {
      const ids = recorder.ids();
      if (new Set(ids).size !== ids.length) throw new Error(`${recorder.client.name} bystander got a duplicate`);
    }
  }

  leave(): void {
    for (const client of this.#clients) client.disconnect();
  }
}
