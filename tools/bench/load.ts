// Benchmark (not a test): what the extension costs VS Code before it does anything — the size of the
// bundles and the time Node takes to load and evaluate dist/extension.js, measured in fresh processes, against a
// bundle of node-fetch alone; then (poll.js) how soon a finished task is seen.
//   npm run bench   (builds the production bundle first)
// `vscode` is not available outside VS Code; for loading alone an inert stand-in is enough, since the bundle
// touches the API only when activate() runs. Activation itself does no I/O beyond settings and the secret
// lookup for the welcome view (see src/extension.ts).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { benchVsix } from './vsix';

const root = path.resolve(__dirname, '..', '..', '..');
const bundle = path.join(root, 'dist', 'extension.js');
const runs = Number(process.env.KLING_BENCH_RUNS ?? 15);

/** The reference: node-fetch alone, bundled and minified the same way (what any HTTP client costs). */
function referenceBundle(): string {
  const out = path.join(os.tmpdir(), `kling-bench-node-fetch-${process.pid}.js`);
  esbuild.buildSync({
    stdin: { contents: "module.exports = require('node-fetch');", resolveDir: root, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['encoding'],
    alias: { 'whatwg-url': './tools/build/whatwg-url.cjs' },
    minify: true,
    outfile: out,
    logLevel: 'error',
  });
  return out;
}

const probe = (file: string) => `
const Module = require('module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'vscode') { return new Proxy(function () {}, { get: (t, p) => (p === '__esModule' ? false : t) }); }
  return load.call(this, request, ...rest);
};
const t0 = process.hrtime.bigint();
require(${JSON.stringify(file)});
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;

function kb(file: string): string {
  return `${(fs.statSync(file).size / 1024).toFixed(0)} KB`;
}

const reference = referenceBundle();
const times: number[] = [];
const refTimes: number[] = [];
// Interleaved, so a busy moment of the machine hits both alike.
for (let i = 0; i < runs; i++) {
  times.push(Number(execFileSync(process.execPath, ['-e', probe(bundle)], { encoding: 'utf8' })));
  refTimes.push(Number(execFileSync(process.execPath, ['-e', probe(reference)], { encoding: 'utf8' })));
}
fs.rmSync(reference, { force: true });
const stats = (t: number[]) => {
  const s = [...t].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};
const ours = stats(times);
const ref = stats(refTimes);
const size = fs.statSync(bundle).size;
const mark = (ok: boolean) => (ok ? '✔' : '✖');
console.log(`dist/extension.js  ${kb(bundle)} ${mark(size <= 200 * 1024)} (budget 200 KB)`);
for (const lazy of [
  'features.js',
  'node-fetch.js',
  'audioWorker.js',
  'music-metadata.js',
  'mpg123-decoder.js',
  'createForm.js',
  'trimmer.js',
  'codicons/codicon.css',
]) {
  console.log(`dist/${lazy.padEnd(20)} ${kb(path.join(root, 'dist', lazy))} (loaded on first use)`);
}
console.log(
  `load + evaluate    min ${ours.min.toFixed(1)} ms, median ${ours.median.toFixed(1)} ms; node-fetch alone min ${ref.min.toFixed(1)} ms, median ${ref.median.toFixed(1)} ms; ratio ${(ours.median / ref.median).toFixed(2)} ${mark(ours.median <= 1.5 * ref.median)} (budget 1.5×), over ${runs} fresh Node processes each, interleaved`,
);

// What a first use adds (a command, the form, a request): dist/features.js and node-fetch, after the start. No
// budget: printed so the start's figure is not read as the whole cost.
const firstUse: number[] = [];
const firstUseProbe = probe(bundle).replace(
  'process.stdout.write',
  `require(${JSON.stringify(path.join(root, 'dist', 'features.js'))}); require(${JSON.stringify(path.join(root, 'dist', 'node-fetch.js'))}); process.stdout.write`,
);
for (let i = 0; i < runs; i++) {
  firstUse.push(Number(execFileSync(process.execPath, ['-e', firstUseProbe], { encoding: 'utf8' })));
}
const all = stats(firstUse);
console.log(
  `start + first use  min ${all.min.toFixed(1)} ms, median ${all.median.toFixed(1)} ms (dist/extension.js, then dist/features.js and node-fetch, as a first command loads them; no budget)`,
);
benchVsix(root);
