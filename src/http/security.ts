// Security headers on every HTTP answer, with a Content Security Policy the
// page follows: its own scripts and styles only, sockets to this server.
// No HSTS and no upgrade-insecure-requests: the audience reaches the demo
// over plain http on the LAN, and those would break it.
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { namedPlugin } from '../named-plugin.js';

export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'", 'ws:', 'wss:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

async function addSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: false,
    // Cross-origin isolation headers would stop phones loading nothing extra; keep defaults off that path.
    crossOriginEmbedderPolicy: false,
  });
}

export const securityPlugin = namedPlugin('security-headers', addSecurityHeaders);
