// Bundles the page (public/) into dist/web, which the server serves.
import { build } from 'esbuild';
import { cp, mkdir } from 'node:fs/promises';

const outdir = 'dist/web';
await mkdir(outdir, { recursive: true });
await cp('public/index.html', `${outdir}/index.html`);
await build({
  entryPoints: ['public/main.ts'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  sourcemap: true,
  outfile: `${outdir}/app.js`,
  logLevel: 'warning',
});
