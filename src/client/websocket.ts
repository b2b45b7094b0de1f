// Raw WebSocket: one connection, JSON frames both ways, sends acked by clientMsgId.
import type { ChatError, Message, SendInput } from '../chat/message.js';
import { BaseClientTransport, byteLength, SendRefused, type CatchupHeader } from './base.js';
import type { ClientTransportOptions, SendReceipt, WebSocketConstructor } from './transport.js';

type ServerFrame =
  | ({ type: 'welcome' } & CatchupHeader)
  | { type: 'message'; message: Message }
  | { type: 'ack'; clientMsgId: string; id: number }
  | ({ type: 'error'; clientMsgId?: string } & ChatError);

interface PendingSend {
  resolve: (receipt: SendReceipt) => void;
  reject: (error: Error) => void;
}

export class WebSocketTransport extends BaseClientTransport {
  readonly name = 'websocket';
  readonly #WebSocket: WebSocketConstructor;
  #socket: WebSocket | undefined;
  #pending = new Map<string, PendingSend>();

  constructor(options: ClientTransportOptions) {
    super(options);
    const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketClass) throw new Error('No WebSocket here: pass options.WebSocket (e.g. the `ws` package in Node 20)');
    this.#WebSocket = WebSocketClass;
  }

  protected open(): void {
    const handshake = { ...this.resumeQuery(), client: this.clientId };
    const query = new URLSearchParams(Object.entries(handshake).map(([key, value]) => [key, String(value)]));
    const url = `${this.baseUrl.replace(/^http/, 'ws')}/ws?${query}`;
    const socket = new this.#WebSocket(url);
    const generation = this.generation;
    const current = (): boolean => generation === this.generation;
    this.#socket = socket;
    // The handshake: GET with Upgrade, answered 101 (a browser's WebSocket never shows a failed one's status).
    const endHandshake = this.wireStart({ kind: 'request', label: 'GET', detail: 'handshake (Upgrade: websocket)', roundTrip: true });
    socket.onopen = () => {
      endHandshake({ status: 101 });
      this.wire({ kind: 'mark', label: '101', detail: 'Switching Protocols: the connection stays open' });
      if (current()) this.setStatus('open', '');
    };
    socket.onmessage = (event: MessageEvent) => current() && this.#onFrame(String(event.data));
    socket.onclose = (event: CloseEvent) => {
      endHandshake({ status: 'refused' });
      this.wire({
        kind: 'mark',
        label: 'close',
        detail: `closed ${event.code}${event.reason ? ` ${event.reason}` : ''}`,
        status: event.code,
      });
      if (current()) this.connectionLost(event.reason || `closed (${event.code})`);
    };
    socket.onerror = () => {}; // onclose follows and reconnects
  }

  protected close(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && socket.readyState <= 1) socket.close(1000);
    // Unacked sends are retried by send() on the next connection.
    for (const pending of this.#pending.values()) pending.reject(new Error('connection closed'));
    this.#pending.clear();
  }

  protected transmit(input: SendInput): Promise<SendReceipt> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== 1) return Promise.reject(new Error('not connected'));
    return new Promise<SendReceipt>((resolve, reject) => {
      const timer = setTimeout(() => settle(() => reject(new Error('ack timeout'))), this.sendTimeoutMs);
      const settle = (action: () => void): void => {
        clearTimeout(timer);
        this.#pending.delete(input.clientMsgId);
        action();
      };
      this.#pending.get(input.clientMsgId)?.reject(new Error('superseded'));
      this.#pending.set(input.clientMsgId, {
        resolve: (receipt) => settle(() => resolve(receipt)),
        reject: (error) => settle(() => reject(error)),
      });
      const frame = JSON.stringify({ type: 'send', ...input });
      const bytes = byteLength(frame);
      this.traffic.bytesOut += bytes;
      this.wire({ kind: 'frame', direction: 'up', label: 'send', bytesOut: bytes });
      socket.send(frame);
    });
  }

  #onFrame(data: string): void {
    const bytes = byteLength(data);
    this.traffic.bytesIn += bytes;
    const frame = JSON.parse(data) as ServerFrame;
    this.wire({ kind: 'frame', direction: 'down', label: frame.type, bytesIn: bytes });
    switch (frame.type) {
      case 'welcome':
        return this.beginCatchup(frame, true);
      case 'message':
        return this.deliver(frame.message);
      case 'ack':
        return this.#pending.get(frame.clientMsgId)?.resolve({ id: frame.id });
      case 'error': {
        const { type: _type, clientMsgId, ...error } = frame;
        const pending = clientMsgId === undefined ? undefined : this.#pending.get(clientMsgId);
        if (pending) pending.reject(new SendRefused(error));
        else this.reportError(error);
      }
    }
  }
}
