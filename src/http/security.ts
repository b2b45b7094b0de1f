// Security headers, by what an answer is. Documents (the page, its scripts
// and styles, anything outside the API) get the full set, with a Content
// Security Policy the page follows: its own scripts and styles only, sockets
// to this server. JSON API answers and Socket.IO's polling answers get only
// what protects them (docs/reliability.md says why): the full set would add
// ~250 bytes to every poll and protects nothing a browser does with JSON.
// No HSTS and no upgrade-insecure-requests: the audience reaches the demo
// over plain http on the LAN, and those would break it.
import helmet from 'helmet';
import type { RequestStep } from './request-hooks.js';

export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** What an API answer keeps: no MIME sniffing, never cached, not readable by other origins' pages as a resource. */
export const API_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/**
 * What a stream that writes its own head (SSE, a long poll cut in the middle
 * of its answer) must write itself: Fastify's reply headers never reach it.
 */
export const STREAM_HEADERS = {
  'x-content-type-options': API_HEADERS['x-content-type-options'],
  'cross-origin-resource-policy': API_HEADERS['cross-origin-resource-policy'],
} as const;

/**
 * Socket.IO's polling answers: the same minus Cache-Control (engine.io-client
 * makes every poll URL unique, and a `no-store` there broke a resume after a
 * reconnect in test/resume.test.ts).
 */
const SOCKETIO_HEADER_ENTRIES = Object.entries(STREAM_HEADERS);

/** The security headers as a step of the server's onRequest hook (src/http/request-hooks.ts). */
export function securityHeaders(): RequestStep {
  // Built once; helmet's middleware sets its headers synchronously.
  const documentHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: false,
    // Cross-origin isolation headers would stop phones loading nothing extra; keep defaults off that path.
    crossOriginEmbedderPolicy: false,
  });
  return (request, reply, next) => {
    const { url } = request;
    // The JSON API: among the reply's own headers, which Fastify hands to one
    // writeHead (headers set on the raw response first would make Node merge
    // them one setHeader at a time).
    if (url.startsWith('/api/')) reply.headers(API_HEADERS);
    // Socket.IO's polling answers are written by engine.io, past Fastify's reply: on the raw response.
    else if (url.startsWith('/socket.io/')) for (const [name, value] of SOCKETIO_HEADER_ENTRIES) reply.raw.setHeader(name, value);
    else return documentHeaders(request.raw, reply.raw, (error) => next(error as Error | undefined));
    next();
  };
}
