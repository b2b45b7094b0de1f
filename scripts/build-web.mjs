// Bundles the page (public/) into dist/web, which the server serves:
// app.js (Lit, the client transports, uPlot, hdr-histogram-js) and app.css
// (ours + uPlot's). No inline script or style anywhere: the page runs under
// `default-src 'self'; style-src 'self'`.
import { build } from 'esbuild';
import { cp, mkdir } from 'node:fs/promises';

const outdir = 'dist/web';
await mkdir(outdir, { recursive: true });
await cp('public/index.html', `${outdir}/index.html`);
await build({
  entryPoints: [
    { in: 'public/main.ts', out: 'app' },
    { in: 'public/styles.css', out: 'app' },
  ],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  sourcemap: true,
  outdir,
  logLevel: 'warning',
});
