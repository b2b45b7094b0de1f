// Security headers, by what an answer is. Documents (the page, its scripts
// and styles, anything outside the API) get the full set, with a Content
// Security Policy the page follows: its own scripts and styles only, sockets
// to this server. JSON API answers and Socket.IO's polling answers get only
// what protects them (docs/reliability.md says why): the full set would add
// ~250 bytes to every poll and protects nothing a browser does with JSON.
// No HSTS and no upgrade-insecure-requests: the audience reaches the demo
// over plain http on the LAN, and those would break it.
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { namedPlugin } from '../named-plugin.js';

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

const API_HEADER_ENTRIES = Object.entries(API_HEADERS);
/**
 * Socket.IO's polling answers: the same minus Cache-Control (engine.io-client
 * makes every poll URL unique, and a `no-store` there broke a resume after a
 * reconnect in test/resume.test.ts).
 */
const SOCKETIO_HEADER_ENTRIES = API_HEADER_ENTRIES.filter(([name]) => name !== 'cache-control');

/** Headers for an answer that is data, not a document: the JSON API and Socket.IO's polling transport. */
function dataHeaders(url: string): Array<[string, string]> | undefined {
  if (url.startsWith('/api/')) return API_HEADER_ENTRIES;
  if (url.startsWith('/socket.io/')) return SOCKETIO_HEADER_ENTRIES;
  return undefined;
}

function addSecurityHeaders(fastify: FastifyInstance): void {
  // Built once; helmet's middleware sets its headers synchronously.
  const documentHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: false,
    // Cross-origin isolation headers would stop phones loading nothing extra; keep defaults off that path.
    crossOriginEmbedderPolicy: false,
  });
  // On the raw response: Socket.IO's polling answers are written by engine.io, past Fastify's reply headers.
  fastify.addHook('onRequest', (request, reply, done) => {
    const headers = dataHeaders(request.url);
    if (!headers) return documentHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}

export const securityPlugin = namedPlugin('security-headers', addSecurityHeaders);
