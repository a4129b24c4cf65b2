// Bundles the extension host code and the three webview pages with esbuild. `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCodicons } from './codicons.mjs';
import { buildExtension } from './features.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * Libraries loaded on first use: the audio libraries with `import()` on the first audio check (src/audio/probe.ts,
 * decode.ts; together they were 60 % of dist/extension.js), aws4 with `require()` on the first S3 request
 * (src/upload/s3.ts), and node-fetch with `require()` on the first HTTP request (src/extension.ts: it and Node's
 * http, https, zlib and stream modules were half of the start's time). Each is its own bundle in dist/, so VS
 * Code's start loads none of them.
 */
const LAZY_LIBRARIES = ['music-metadata', 'mpg123-decoder', 'aws4', 'node-fetch'];

/** CommonJS libraries whose bundle is their module.exports as it is (node-fetch's is the function, with .default). */
const AS_IS = new Set(['node-fetch']);

/** Makes the extension bundle require `./<name>.js` (beside it in dist/) for each lazy library. */
const lazyLibraries = {
  name: 'lazy-libraries',
  setup(build) {
    const filter = new RegExp(`^(${LAZY_LIBRARIES.join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `./${args.path}.js`, external: true }));
  },
};

/** The bundle of one lazy library: Node, CommonJS, so the host's require() of it needs no ESM loader. */
function libraryBundle(name) {
  return {
    stdin: {
      contents: AS_IS.has(name) ? `module.exports = require('${name}');` : `export * from '${name}';`,
      resolveDir: '.',
      loader: 'js',
    },
    external: ['encoding'],
    // node-fetch's fallback URL parser is dead code on Node ≥ 10 (see the shim).
    alias: { 'whatwg-url': './tools/build/whatwg-url.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: `dist/${name}.js`,
    sourcemap: false,
    minify: production,
    logLevel: 'warning',
  };
}

/** The extension host bundles' common options (Node, CommonJS; `vscode` comes from the host). */
const host = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  absWorkingDir: root,
  external: ['vscode', 'encoding'],
  // node-fetch's fallback URL parser is dead code on Node ≥ 10 (see the shim).
  alias: { 'whatwg-url': './tools/build/whatwg-url.cjs' },
  // import() becomes require(), relative to dist/extension.js (see lazyLibraries; and features.mjs for src/lazy.ts).
  supported: { 'dynamic-import': false },
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/** The extension: dist/extension.js (what VS Code loads at start) and dist/features.js (on first use). */
const extension = {
  ...host,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  plugins: [lazyLibraries],
  alias: { ...host.alias, '@vscode/l10n': './tools/build/l10n-host.cjs' },
};

/**
 * The audio worker (src/audioWorker/worker.ts): a worker_threads script the extension starts on the first audio
 * check. It requires the lazy libraries from their own bundles beside it, like the extension would.
 */
const audioWorker = {
  ...host,
  plugins: [lazyLibraries],
  entryPoints: ['src/audioWorker/worker.ts'],
  outfile: 'dist/audioWorker.js',
  external: [],
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

/** The bundles other than the extension's two (see features.mjs). */
const others = [audioWorker, createForm, trimmer, trialPlayer, ...LAZY_LIBRARIES.map(libraryBundle)];

// The codicon style sheet, with only the glyphs the pages use (an unknown name fails the build).
await writeCodicons();
if (watch) {
  for (const options of others) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  // The extension's two bundles come from three passes (features.mjs): rebuild them on a change under src/.
  let timer;
  const rebuild = () =>
    buildExtension(extension).then(
      () => console.log('dist/extension.js and dist/features.js rebuilt'),
      (e) => console.error(e.message),
    );
  await rebuild();
  fs.watch(path.join(root, 'src'), { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(rebuild, 100);
  });
} else {
  await Promise.all([buildExtension(extension), ...others.map((options) => esbuild.build(options))]);
}
