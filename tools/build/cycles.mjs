// Fails (exit 1) on an import cycle: in src/ and webview/ any cycle, type-only imports included; in tools/ (developer
// tooling, not shipped) only cycles that exist at run time. Run by `npm test` through `npm run lint`.
import madge from 'madge';

const base = { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' };
const checks = [
  { paths: ['src', 'webview'], config: base },
  {
    paths: ['tools'],
    config: { ...base, detectiveOptions: { ts: { skipTypeImports: true }, tsx: { skipTypeImports: true } } },
  },
];

let failed = false;
for (const { paths, config } of checks) {
  const result = await madge(paths, config);
  const cycles = result.circular();
  const files = Object.keys(result.obj()).length;
  if (cycles.length) {
    failed = true;
    console.error(`import cycles in ${paths.join(', ')}:`);
    for (const c of cycles) {
      console.error(`  ${c.join(' > ')}`);
    }
  } else {
    console.log(`no import cycles in ${paths.join(', ')} (${files} files)`);
  }
  if (files < 10) {
    failed = true;
    console.error(`only ${files} files found in ${paths.join(', ')}: is the check looking in the right place?`);
  }
}
process.exit(failed ? 1 : 0);
