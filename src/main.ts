// `npm start`: parse flags, build the server, listen, print where to open it.
import type { AddressInfo } from 'node:net';
import { buildServer } from './server.js';
import { ConfigError, helpText, loadConfig } from './config.js';
import { joinUrls, terminalQr } from './lab/join.js';

async function main(): Promise<void> {
  let options;
  try {
    options = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}\n\n${helpText()}`);
    process.exit(2);
  }
  if (!options) {
    console.log(helpText());
    return;
  }

  let server;
  try {
    server = await buildServer(options);
  } catch (error) {
    // Redis unreachable at start-up: say so plainly rather than with a stack trace.
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  await server.listen({ port: options.port, host: options.host });
  const address = server.server.address() as AddressInfo;
  const audience = joinUrls(address);
  const room = options.redisUrl ? `the room in Redis (${options.redisPrefix}*)` : 'the room in memory';
  // The secret first and apart: the join block below (URLs and QR) is what a
  // teacher projects, so the token must not sit right under the QR code.
  // A token the presenter chose is not echoed into logs; a random one must be.
  console.log(
    options.presenterToken
      ? '\nPresenter token: the one you set with --presenter-token / PRESENTER_TOKEN.'
      : `\n[SECRET] Presenter token (keep it off the projector; type it into the page's Presenter panel):\n  ${server.lab.presenterToken}`,
  );
  console.log(`\n${'-'.repeat(60)}\nTransport Lab is running (node ${server.nodeId}, ${room}):\n  http://localhost:${address.port}`);
  for (const url of audience) console.log(`  ${url}   (audience on the same network)`);
  if (audience[0]) console.log(`\nScan to join ${audience[0]}:\n${await terminalQr(audience[0])}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.log.info(`${signal}: shutting down`);
    // Exit even if something refuses to close.
    setTimeout(() => process.exit(1), 5000).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
