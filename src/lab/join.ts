// How the audience joins: the server's LAN URLs, and a QR code of the first
// for the terminal (the page draws its own from GET /api/lab/join).
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import QRCode from 'qrcode';

/** `http://<address>:<port>` for each non-internal IPv4 interface. */
export function lanUrls(port: number): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && address.family === 'IPv4' && !address.internal)
    .map((address) => `http://${address!.address}:${port}`);
}

/** Where phones can reach a server listening on `address`: every LAN URL when bound to all interfaces. */
export function joinUrls(address: AddressInfo): string[] {
  const everywhere = address.address === '0.0.0.0' || address.address === '::';
  if (everywhere) return lanUrls(address.port);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return [`http://${host}:${address.port}`];
}

/** A QR code drawn with block characters, small enough for a terminal. */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true });
}
