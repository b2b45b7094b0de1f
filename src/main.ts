// `npm start`: parse flags, build the server, listen, print where to open it.
import { networkInterfaces } from 'node:os';
import { buildServer } from './server.js';
import { ConfigError, helpText, loadConfig } from './config.js';

function lanUrls(port: number): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && address.family === 'IPv4' && !address.internal)
    .map((address) => `http://${address!.address}:${port}`);
}

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

  const server = await buildServer(options);
  await server.listen({ port: options.port, host: options.host });
  const port = (server.server.address() as { port: number }).port;
  const everywhere = options.host === '0.0.0.0' || options.host === '::';
  console.log(`\nTransport Lab is running:\n  http://localhost:${port}`);
  if (everywhere) for (const url of lanUrls(port)) console.log(`  ${url}   (audience on the same network)`);
  console.log('');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.log.info(`${signal}: shutting down`);
    // Exit even if something refuses to close.
    setTimeout(() => process.exit(1), 5000).unref();
    server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
