// Bundles the extension host code and the three webview pages with esbuild. `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { writeCodicons } from './codicons.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** The extension host bundle (Node, CommonJS; `vscode` comes from the host). */
const extension = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'dist/extension.js',
  external: ['vscode', 'encoding'],
  // node-fetch's fallback URL parser is dead code on Node ≥ 10 (see the shim).
  alias: { 'whatwg-url': './tools/build/whatwg-url.cjs' },
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/** The Create Voice webview page (browser, one IIFE loaded by nonce; see src/webviewHost/page.ts). */
const createForm = {
  entryPoints: ['webview/createForm.ts'],
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  outfile: 'dist/createForm.js',
  // An inline source map would need no extra request, but keep the page's only script small in production.
  sourcemap: production ? false : 'inline',
  minify: production,
  logLevel: 'warning',
};

/** The trimmer page (same rules as the form's page). */
const trimmer = { ...createForm, entryPoints: ['webview/trimmer.ts'], outfile: 'dist/trimmer.js' };

/** The trial audio player tab (same rules). */
const trialPlayer = { ...createForm, entryPoints: ['webview/trialPlayer.ts'], outfile: 'dist/trialPlayer.js' };

// The codicon style sheet, with only the glyphs the pages use (an unknown name fails the build).
await writeCodicons();
if (watch) {
  for (const options of [extension, createForm, trimmer, trialPlayer]) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
} else {
  await Promise.all([extension, createForm, trimmer, trialPlayer].map((options) => esbuild.build(options)));
}
