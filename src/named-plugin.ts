// Every plugin of the server is made here: named (Fastify checks each one's
// `dependencies` against the names registered before it) and async, so a
// throw while it registers rejects `register()`. (avvio calls a synchronous
// plugin outside any try: its throw would be an uncaught exception.)
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface PluginMeta {
  /** Names of the plugins that must be registered before this one. */
  dependencies?: string[];
  /** Keep the plugin's own scope (fastify-plugin lifts it into the parent's otherwise). */
  encapsulate?: boolean;
}

export function namedPlugin<Options extends object = Record<never, never>>(
  name: string,
  setup: (fastify: FastifyInstance, options: Options) => void | Promise<void>,
  meta: PluginMeta = {},
): FastifyPluginAsync<Options> {
  const plugin: FastifyPluginAsync<Options> = async (fastify, options) => {
    await setup(fastify, options);
  };
  return fp(plugin, { name, fastify: '5.x', ...meta });
}
