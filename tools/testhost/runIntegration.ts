// Runs the integration suite (out/test/integration) inside a real VS Code extension host.
//   node out/tools/testhost/runIntegration.js
// Default host: code-server from the npm registry, driven by Debian's Chromium (works offline).
// KLING_TEST_HOST=electron: desktop VS Code through @vscode/test-electron (downloads VS Code: needs network).
// Other settings: KLING_TEST_TIMEOUT_MS (default 15 min), KLING_TEST_GREP (only matching tests),
// KLING_TEST_RESULTS (where the suite writes its counts; a temp file by default), KLING_CHROMIUM,
// KLING_TEST_VERBOSE (echo code-server's and the browser's own logs).
// KLING_TEST_EXTENSIONS_DIR: test the copy installed there (tools/testhost/runInstalled.ts) instead of this checkout;
// KLING_TEST_FILES: only the test files whose path matches this RegExp (e.g. `smoke`).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import { launchBrowser, developmentPayload, workbenchUrl, type LaunchedBrowser } from './browser';
import { startCodeServer, writeUserSettings, type CodeServer } from './codeServer';
import {
  BROWSER_PACKAGES,
  BUILD_PACKAGES,
  ensureCodeServer,
  ensureSystemPackages,
  isCodeServerInstalled,
  testCacheRoot,
} from './install';
import { log, makeTempDir, removeDir, repoRoot, seconds, UserFacingError } from './util';
import { createProbeExtension } from './vsix';

interface Results {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

const DEFAULT_TIMEOUT_MS = 15 * 60 * 1000;

/** Things to undo on the way out, latest first; also run on Ctrl+C. */
const cleanups: (() => Promise<void> | void)[] = [];

let cleaning: Promise<void> | undefined;
/** Set on Ctrl+C: the run's own errors (code-server going away) are then expected. */
let interrupted = false;

/** Runs the cleanups once; later calls wait for the same run. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const step = cleanups.pop() as () => Promise<void> | void;
      try {
        await step();
      } catch (error) {
        log(`cleanup failed: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}

function timeoutMs(): number {
  const value = Number(process.env.KLING_TEST_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
}

/** A small folder for the workbench to open, so tests see a workspace like a user's. */
function createWorkspace(): string {
  const folder = makeTempDir('workspace');
  fs.writeFileSync(
    path.join(folder, 'README.md'),
    '# Integration test workspace\n\nCreated by tools/testhost/runIntegration.ts.\n',
  );
  fs.writeFileSync(path.join(folder, 'script.txt'), 'Hello from the Kling Custom Voice integration tests.\n');
  return folder;
}

/** The workbench passes console-style arguments: a format string (with %s, %d) and its values. */
function formatLogArgs(args: unknown): string {
  const list: unknown[] = Array.isArray(args) ? args : [args];
  return format(...list);
}

// Workbench chatter that comes through the same channel as the tests' output. The extension gallery
// (open-vsx.org) cannot be reached offline; its errors are harmless.
const WORKBENCH_NOISE = [
  /^Resolving connection token/,
  /^Resolved connection token/,
  /^Creating a socket/,
  /^\[Service Worker\]/,
  /^Updating additional builtin extensions cache/,
  /^ChatSessionStore:/,
  /^Ignoring fetching additional builtin extensions from gallery/,
  /open-vsx\.org/,
];

/** What the suite gets from the runner, whatever the host. */
function suiteEnv(resultsPath: string, userDataDir: string): Record<string, string> {
  const env: Record<string, string> = {
    KLING_TEST_RESULTS: resultsPath,
    KLING_TEST_USER_DATA_DIR: userDataDir,
    // Where the extension must have been loaded from (the smoke test checks): the checkout, or the extensions folder.
    KLING_TEST_CHECKOUT: repoRoot(),
    KLING_TEST_EXTENSION_ROOT: installedExtensionsDir() ?? repoRoot(),
  };
  for (const key of ['KLING_TEST_GREP', 'KLING_TEST_FILES'] as const) {
    const value = process.env[key];
    if (value) {
      env[key] = value;
    }
  }
  return env;
}

/** KLING_TEST_EXTENSIONS_DIR: an extensions folder holding the installed VSIX to test instead of the checkout. */
function installedExtensionsDir(): string | undefined {
  return process.env.KLING_TEST_EXTENSIONS_DIR ? path.resolve(process.env.KLING_TEST_EXTENSIONS_DIR) : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UserFacingError(`${what} did not finish within ${Math.round(ms / 1000)} s (KLING_TEST_TIMEOUT_MS).`),
        ),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runInCodeServer(root: string, testsIndex: string, resultsPath: string): Promise<number> {
  // One apt-get run for everything missing on a fresh machine.
  await ensureSystemPackages([
    ...(process.env.KLING_CHROMIUM ? [] : BROWSER_PACKAGES),
    ...(isCodeServerInstalled() ? [] : BUILD_PACKAGES),
  ]);
  let started = Date.now();
  const bin = await ensureCodeServer();
  log(`code-server ready (${seconds(started)})`);

  const workspace = createWorkspace();
  cleanups.push(() => removeDir(workspace));

  started = Date.now();
  // The suite reads the host's logs and settings from here (e.g. to check that no secret is logged).
  const userDataDir = makeTempDir('user-data');
  cleanups.push(() => removeDir(userDataDir));
  // Testing an installed copy: a stand-in development extension carries the tests, so the host loads the installed one.
  const extensionsDir = installedExtensionsDir();
  let developmentPath = root;
  if (extensionsDir) {
    const probe = createProbeExtension();
    cleanups.push(() => removeDir(probe));
    developmentPath = probe;
  }
  const server: CodeServer = await startCodeServer({
    bin,
    workspaceFolder: workspace,
    userDataDir,
    extensionsDir,
    // No extension gallery: offline it only produces errors, and the tests must not depend on it.
    env: { ...suiteEnv(resultsPath, userDataDir), EXTENSIONS_GALLERY: '{}' },
  });
  cleanups.push(() => server.stop());
  log(`code-server serving ${server.url} (${seconds(started)})`);

  started = Date.now();
  const browser: LaunchedBrowser = await launchBrowser();
  cleanups.push(() => browser.close());
  const { page } = browser;

  let exitCode: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (exitCode = resolve));
  // The workbench reports the test run through these two functions when they exist on `window`.
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
    const text = formatLogArgs(args);
    if (WORKBENCH_NOISE.some((pattern) => pattern.test(text))) {
      if (process.env.KLING_TEST_VERBOSE) {
        process.stderr.write(`[workbench ${type}] ${text}\n`);
      }
      return;
    }
    (type === 'error' || type === 'warn' ? process.stderr : process.stdout).write(`${text}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => exitCode(Number(code)));
  if (process.env.KLING_TEST_VERBOSE) {
    page.on('console', (message) => process.stderr.write(`[browser ${message.type()}] ${message.text()}\n`));
  }
  page.on('pageerror', (error) => log(`workbench page error: ${error.message}`));

  const payload = developmentPayload(server.url, developmentPath, testsIndex);
  await page.goto(workbenchUrl(server.url, workspace, payload));
  log(`workbench opened (${seconds(started)}); running the integration tests`);

  started = Date.now();
  const serverDied = server.exited.then((code) => {
    throw new UserFacingError(`code-server exited (code ${code}) during the test run. Its output:\n${server.output()}`);
  });
  const code = await withTimeout(Promise.race([exited, serverDied]), timeoutMs(), 'The integration test run');
  log(`the extension host finished with code ${code} (${seconds(started)})`);
  return code;
}

async function runInElectron(root: string, testsIndex: string, resultsPath: string): Promise<number> {
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  let vscodeExecutablePath = process.env.KLING_VSCODE_EXECUTABLE;
  if (!vscodeExecutablePath) {
    const version = process.env.KLING_VSCODE_VERSION || 'stable';
    try {
      vscodeExecutablePath = await downloadAndUnzipVSCode({ version, cachePath: path.join(testCacheRoot(), 'vscode') });
    } catch (error) {
      throw new UserFacingError(
        `The desktop host (KLING_TEST_HOST=electron) needs network access to download VS Code ${version}, ` +
          `and it was not available: ${String((error as Error).message ?? error)}\n` +
          'Run without KLING_TEST_HOST to use the offline code-server host.',
      );
    }
  }
  // Desktop VS Code needs a display; re-run this script under xvfb-run when there is none.
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.KLING_UNDER_XVFB) {
    await ensureSystemPackages(['xvfb']);
    return new Promise<number>((resolve, reject) => {
      const child = spawn('xvfb-run', ['-a', process.execPath, __filename], {
        stdio: 'inherit',
        env: {
          ...process.env,
          KLING_UNDER_XVFB: '1',
          KLING_VSCODE_EXECUTABLE: vscodeExecutablePath,
          KLING_TEST_RESULTS: resultsPath,
          KLING_TEST_NO_SUMMARY: '1',
        },
      });
      child.on('error', reject);
      child.on('exit', (code) => resolve(code ?? 1));
    });
  }
  const workspace = createWorkspace();
  cleanups.push(() => removeDir(workspace));
  const userDataDir = makeTempDir('user-data');
  cleanups.push(() => removeDir(userDataDir));
  writeUserSettings(userDataDir, {});
  try {
    return await withTimeout(
      runTests({
        vscodeExecutablePath,
        extensionDevelopmentPath: root,
        extensionTestsPath: testsIndex,
        extensionTestsEnv: suiteEnv(resultsPath, userDataDir),
        launchArgs: [
          workspace,
          '--user-data-dir',
          userDataDir,
          '--disable-extensions',
          '--disable-workspace-trust',
          '--skip-welcome',
          '--skip-release-notes',
        ],
      }),
      timeoutMs(),
      'The integration test run',
    );
  } catch (error) {
    if (fs.existsSync(resultsPath)) {
      // VS Code ran and the suite reported (runTests rejects when a test failed): counted by the summary.
      return 1;
    }
    throw error;
  }
}

function readResults(file: string): Results | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const root = repoRoot();
  const testsIndex = path.join(root, 'out', 'test', 'integration', 'index.js');
  if (!fs.existsSync(testsIndex)) {
    throw new UserFacingError(`${path.relative(root, testsIndex)} is missing: run \`npm run compile-tests\` first.`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string };
  if (manifest.main && !fs.existsSync(path.join(root, manifest.main))) {
    throw new UserFacingError(`${manifest.main} is missing: run \`npm run build\` first.`);
  }

  let resultsPath: string;
  if (process.env.KLING_TEST_RESULTS) {
    resultsPath = path.resolve(process.env.KLING_TEST_RESULTS);
  } else {
    const dir = makeTempDir('results');
    cleanups.push(() => removeDir(dir));
    resultsPath = path.join(dir, 'results.json');
  }
  // Results of an earlier run must not count for this one (the xvfb child shares the file with its parent).
  if (!process.env.KLING_UNDER_XVFB) {
    fs.rmSync(resultsPath, { force: true });
  }

  const host = process.env.KLING_TEST_HOST || 'code-server';
  let hostExit: number;
  if (host === 'code-server') {
    hostExit = await runInCodeServer(root, testsIndex, resultsPath);
  } else if (host === 'electron') {
    if (installedExtensionsDir()) {
      throw new UserFacingError('KLING_TEST_EXTENSIONS_DIR (an installed copy) works with the code-server host only.');
    }
    hostExit = await runInElectron(root, testsIndex, resultsPath);
  } else {
    throw new UserFacingError(`Unknown KLING_TEST_HOST '${host}': use 'code-server' (default) or 'electron'.`);
  }
  if (process.env.KLING_TEST_NO_SUMMARY) {
    return hostExit;
  }
  return summarize(resultsPath, hostExit, started);
}

function summarize(resultsPath: string, hostExit: number, started: number): number {
  const results = readResults(resultsPath);
  if (!results) {
    process.stdout.write(
      `integration: no results: the suite did not write ${resultsPath} (host exit code ${hostExit})\n`,
    );
    return 1;
  }
  for (const failure of results.failures) {
    process.stdout.write(`FAILED: ${failure.title}\n  ${failure.error.split('\n').slice(0, 3).join('\n  ')}\n`);
  }
  if (results.pending > 0) {
    process.stdout.write(`integration: ${results.pending} pending\n`);
  }
  log(`integration run took ${seconds(started)}`);
  process.stdout.write(`integration: ${results.passed} passed, ${results.failed} failed\n`);
  if (results.failed > 0) {
    return 1;
  }
  if (results.passed === 0) {
    process.stdout.write('integration: no test ran\n');
    return 1;
  }
  return hostExit === 0 ? 0 : 1;
}

function onSignal(signal: NodeJS.Signals): void {
  interrupted = true;
  log(`${signal}: stopping`);
  void cleanUp().finally(() => process.exit(130));
}

if (require.main === module) {
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  main()
    .then(
      (code) => code,
      (error: unknown) => {
        if (interrupted) {
          return 130;
        }
        process.stderr.write(
          `[testhost] ${error instanceof UserFacingError ? error.message : String((error as Error).stack ?? error)}\n`,
        );
        return 1;
      },
    )
    .then(async (code) => {
      await cleanUp();
      process.exit(code);
    });
}
