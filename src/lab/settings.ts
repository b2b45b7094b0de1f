// The presenter's network conditions: what `GET /api/lab` shows and a
// partial `PUT /api/lab` changes.
import { Type, type Static, type TObject, type TOptional, type TInteger } from '@sinclair/typebox';
import { TRANSPORT_NAMES, type TransportName } from '../chat/transports.js';

/** Ten seconds is already far beyond any network worth demonstrating. */
export const MAX_ADDED_MS = 10_000;

const Millis = Type.Integer({ minimum: 0, maximum: MAX_ADDED_MS });

/** `{ "websocket": 200, ... }`: any subset of the transports, nothing else. */
const PerTransport: TObject<Record<TransportName, TOptional<TInteger>>> = Type.Object(
  Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, Type.Optional(Millis)])) as Record<TransportName, TOptional<TInteger>>,
  { additionalProperties: false },
);

export const LabUpdateSchema = Type.Object(
  {
    blockWebSocket: Type.Optional(Type.Boolean()),
    liftRateLimit: Type.Optional(Type.Boolean()),
    addedLatencyMs: Type.Optional(PerTransport),
    jitterMs: Type.Optional(PerTransport),
  },
  { additionalProperties: false },
);
export type LabUpdate = Static<typeof LabUpdateSchema>;

const AllTransports = Type.Object(Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, Millis])));
export const LabSettingsSchema = Type.Object({
  blockWebSocket: Type.Boolean(),
  liftRateLimit: Type.Boolean(),
  addedLatencyMs: AllTransports,
  jitterMs: AllTransports,
});

export interface LabSettings {
  /** The "corporate proxy": every WebSocket upgrade is refused. */
  blockWebSocket: boolean;
  /** The presenter lifts the send rate limit (e.g. for a fast auto-send demo). */
  liftRateLimit: boolean;
  /** Added to every message/response of the transport, each direction. */
  addedLatencyMs: Record<TransportName, number>;
  /** Up to this much more, at random, on top of the added latency. */
  jitterMs: Record<TransportName, number>;
}

const zeroes = (): Record<TransportName, number> =>
  Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, 0])) as Record<TransportName, number>;

export function defaultSettings(): LabSettings {
  return { blockWebSocket: false, liftRateLimit: false, addedLatencyMs: zeroes(), jitterMs: zeroes() };
}

/** The settings with a (validated) partial update applied. */
export function applyUpdate(settings: LabSettings, update: LabUpdate): LabSettings {
  return {
    blockWebSocket: update.blockWebSocket ?? settings.blockWebSocket,
    liftRateLimit: update.liftRateLimit ?? settings.liftRateLimit,
    addedLatencyMs: { ...settings.addedLatencyMs, ...update.addedLatencyMs },
    jitterMs: { ...settings.jitterMs, ...update.jitterMs },
  };
}
