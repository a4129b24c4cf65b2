// Tests the packaged extension as a user gets it: installs the VSIX that `npm run package` wrote into a fresh
// extensions folder with code-server's `--install-extension`, then runs against that installed copy (never the
// checkout) the integration smoke tests and the Create Voice end-to-end test.
//   npm run package && npx tsc -p tsconfig.json && node out/tools/testhost/runInstalled.js
// KLING_TEST_RESULTS: where the summed counts ({passed, failed, pending}) are written, for tools/test.sh.
// KLING_INSTALLED_E2E_GREP: only the end-to-end tests whose title matches (default: all of createForm.e2e).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ensureCodeServer } from './install';
import { log, makeTempDir, removeDir, repoRoot, seconds, UserFacingError } from './util';
import { installVsix, vsixPath } from './vsix';

interface Counts {
  passed: number;
  failed: number;
  pending: number;
}

/** Runs `node <args>` with its output shown as it comes; resolves with the exit code. */
function runNode(args: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot(), stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** A suite's counts; a suite that wrote none counts as one failure. */
function readCounts(file: string, suite: string): Counts {
  try {
    const counts = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Counts>;
    return { passed: counts.passed ?? 0, failed: counts.failed ?? 0, pending: counts.pending ?? 0 };
  } catch {
    process.stdout.write(`installed copy: the ${suite} wrote no results (${file})\n`);
    return { passed: 0, failed: 1, pending: 0 };
  }
}

/** The integration suite's smoke tests in code-server, with the installed copy instead of the checkout. */
async function runSmoke(root: string, extensionsDir: string, work: string): Promise<{ counts: Counts; exit: number }> {
  const results = path.join(work, 'integration.json');
  const exit = await runNode([path.join(root, 'out', 'tools', 'testhost', 'runIntegration.js')], {
    KLING_TEST_EXTENSIONS_DIR: extensionsDir,
    KLING_TEST_FILES: '^smoke\\.test\\.js$',
    KLING_TEST_RESULTS: results,
  });
  return { counts: readCounts(results, 'integration smoke tests'), exit };
}

/** The Create Voice end-to-end test (Chromium driving the workbench) with the installed copy. */
async function runE2E(root: string, extensionsDir: string, work: string): Promise<{ counts: Counts; exit: number }> {
  const results = path.join(work, 'e2e.json');
  const grep = process.env.KLING_INSTALLED_E2E_GREP ? ['--grep', process.env.KLING_INSTALLED_E2E_GREP] : [];
  const exit = await runNode(
    [
      path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--no-config',
      '--forbid-only',
      '--timeout',
      '300000',
      ...grep,
      '--reporter',
      path.join(root, 'out', 'tools', 'testhost', 'countingReporter.js'),
      path.join(root, 'out', 'test', 'e2e', 'createForm.e2e.js'),
    ],
    {
      KLING_E2E_EXTENSIONS_DIR: extensionsDir,
      // Screenshots of this run are not the README's.
      KLING_E2E_IMAGES: path.join(work, 'images'),
      KLING_UNIT_RESULTS: results,
    },
  );
  return { counts: readCounts(results, 'end-to-end tests'), exit };
}

async function main(): Promise<number> {
  const root = repoRoot();
  const vsix = vsixPath(root);
  if (!fs.existsSync(vsix)) {
    throw new UserFacingError(`${path.relative(root, vsix)} is missing: run \`npm run package\` first.`);
  }
  const work = makeTempDir('installed-copy');
  try {
    let started = Date.now();
    const installed = await installVsix(await ensureCodeServer(), vsix, path.join(work, 'extensions'));
    const size = Math.round(fs.statSync(vsix).size / 1024);
    process.stdout.write(
      `installed copy: ${path.relative(root, vsix)} (${size} KB) → ${installed.extensionPath} (${seconds(started)})\n`,
    );

    started = Date.now();
    const smoke = await runSmoke(root, installed.extensionsDir, work);
    log(`integration smoke tests on the installed copy: ${seconds(started)}`);
    started = Date.now();
    const e2e = await runE2E(root, installed.extensionsDir, work);
    log(`end-to-end tests on the installed copy: ${seconds(started)}`);

    const total: Counts = {
      passed: smoke.counts.passed + e2e.counts.passed,
      failed: smoke.counts.failed + e2e.counts.failed,
      pending: smoke.counts.pending + e2e.counts.pending,
    };
    if (process.env.KLING_TEST_RESULTS) {
      fs.writeFileSync(path.resolve(process.env.KLING_TEST_RESULTS), JSON.stringify(total) + '\n');
    }
    process.stdout.write(
      `installed copy: integration smoke ${smoke.counts.passed} passed, ${smoke.counts.failed} failed; ` +
        `end-to-end ${e2e.counts.passed} passed, ${e2e.counts.failed} failed\n` +
        `installed copy: ${total.passed} passed, ${total.failed} failed\n`,
    );
    const ran = smoke.counts.passed > 0 && e2e.counts.passed > 0;
    return total.failed === 0 && ran && smoke.exit === 0 && e2e.exit === 0 ? 0 : 1;
  } finally {
    removeDir(work);
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `[testhost] ${error instanceof UserFacingError ? error.message : String((error as Error).stack ?? error)}\n`,
      );
      process.exit(1);
    },
  );
}
