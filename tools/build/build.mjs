// Bundles the extension host code and the three webview pages with esbuild. `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { writeCodicons } from './codicons.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * Libraries loaded on first use: the audio libraries with `import()` on the first audio check (src/audio/probe.ts,
 * decode.ts; together they were 60 % of dist/extension.js) and aws4 with `require()` on the first S3 request
 * (src/upload/s3.ts). Each is its own bundle in dist/, so VS Code's start loads none of them.
 */
const LAZY_LIBRARIES = ['music-metadata', 'mpg123-decoder', 'aws4'];

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
    stdin: { contents: `export * from '${name}';`, resolveDir: '.', loader: 'js' },
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
  plugins: [lazyLibraries],
  // import() of a lazy library becomes require('./<name>.js'), relative to dist/extension.js.
  supported: { 'dynamic-import': false },
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/**
 * The audio worker (src/audioWorker/worker.ts): a worker_threads script the extension starts on the first audio
 * check. It requires the lazy libraries from their own bundles beside it, like the extension would.
 */
const audioWorker = {
  ...extension,
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

// The codicon style sheet, with only the glyphs the pages use (an unknown name fails the build).
await writeCodicons();
if (watch) {
  for (const options of [
    extension,
    audioWorker,
    createForm,
    trimmer,
    trialPlayer,
    ...LAZY_LIBRARIES.map(libraryBundle),
  ]) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
} else {
  await Promise.all(
    [extension, audioWorker, createForm, trimmer, trialPlayer, ...LAZY_LIBRARIES.map(libraryBundle)].map((options) =>
      esbuild.build(options),
    ),
  );
}
