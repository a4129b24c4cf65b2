// Benchmark (not a test): what the extension costs VS Code before it does anything — the size of the
// bundles and the time Node takes to load and evaluate dist/extension.js, measured in fresh processes.
//   npm run bench   (builds the production bundle first)
// `vscode` is not available outside VS Code; for loading alone an inert stand-in is enough, since the bundle
// touches the API only when activate() runs. Activation itself does no I/O beyond settings and the secret
// lookup for the welcome view (see src/extension.ts).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');
const bundle = path.join(root, 'dist', 'extension.js');
const runs = Number(process.env.KLING_BENCH_RUNS ?? 15);

const probe = `
const Module = require('module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'vscode') { return new Proxy(function () {}, { get: (t, p) => (p === '__esModule' ? false : t) }); }
  return load.call(this, request, ...rest);
};
const t0 = process.hrtime.bigint();
require(${JSON.stringify(bundle)});
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;

function kb(file: string): string {
  return `${(fs.statSync(file).size / 1024).toFixed(0)} KB`;
}

const times: number[] = [];
for (let i = 0; i < runs; i++) {
  times.push(Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })));
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`dist/extension.js  ${kb(bundle)}`);
console.log(`dist/createForm.js ${kb(path.join(root, 'dist', 'createForm.js'))}`);
console.log(
  `load + evaluate    min ${times[0].toFixed(1)} ms, median ${median.toFixed(1)} ms over ${runs} fresh Node processes`,
);
