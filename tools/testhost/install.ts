// Installs what the test host needs: Debian packages (build tools for code-server's native modules,
// ripgrep, chromium) and code-server itself, into a cache folder outside the checkout that later runs
// reuse. Run directly (`node out/tools/testhost/install.js`) to prepare a machine ahead of time.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startCodeServer } from './codeServer';
import { cleanChildEnv, delay, log, makeTempDir, removeDir, runCommand, seconds, UserFacingError } from './util';

/** code-server 4.100.x bundles VS Code 1.100.3 and is the last line that runs on Node 20. */
export const CODE_SERVER_VERSION = '4.100.3';

/** Needed only to install code-server: its postinstall compiles native modules; ripgrep seeds @vscode/ripgrep offline. */
export const BUILD_PACKAGES: readonly string[] = [
  'build-essential',
  'python3',
  'pkg-config',
  'libkrb5-dev',
  'libx11-dev',
  'libxkbfile-dev',
  'libsecret-1-dev',
  'ripgrep',
];

/** Needed to drive the workbench from a browser. */
// fonts-noto-cjk: Debian's Chromium has no CJK font, and the zh-cn run's screenshots would show boxes.
export const BROWSER_PACKAGES: readonly string[] = ['chromium', 'fonts-noto-cjk'];

const MARKER_FILE = '.kling-install-ok';

// @vscode/ripgrep@1.15.11 (a dependency of VS Code 1.100) downloads this file in its postinstall unless it
// finds it in its cache folder under the OS temp folder.
const RIPGREP_CACHE_DIR = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

/** `${KLING_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kling-voice-test}` */
export function testCacheRoot(): string {
  if (process.env.KLING_TEST_CACHE) {
    return path.resolve(process.env.KLING_TEST_CACHE);
  }
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'kling-voice-test');
}

export function codeServerInstallDir(): string {
  return path.join(testCacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

/** The code-server launcher script (run it with Node: `node <bin> …`). */
export function codeServerBin(installDir = codeServerInstallDir()): string {
  return path.join(installDir, 'node_modules', '.bin', 'code-server');
}

// ---------------------------------------------------------------------------------------------------
// System packages

/** True when `name` is an executable on the PATH. */
export function hasCommand(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function isDebPackageInstalled(name: string): boolean {
  try {
    const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', name], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    return status.trim() === 'install ok installed';
  } catch {
    return false;
  }
}

/**
 * Makes sure the given Debian packages are installed (all build and browser packages by default).
 * As root, missing ones are installed with apt-get; otherwise the error names them.
 */
export async function ensureSystemPackages(
  packages: readonly string[] = [...BUILD_PACKAGES, ...BROWSER_PACKAGES],
): Promise<void> {
  if (packages.length === 0) {
    return;
  }
  if (process.platform !== 'linux' || !hasCommand('dpkg-query')) {
    log(`not a Debian-based system: make sure these (or their equivalents) are installed: ${packages.join(' ')}`);
    return;
  }
  const missing = packages.filter((name) => !isDebPackageInstalled(name));
  if (missing.length === 0) {
    return;
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new UserFacingError(
      `Missing Debian packages: ${missing.join(' ')}.\n` +
        `Install them and run again:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  const started = Date.now();
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await runCommand('apt-get', ['update'], { env });
  if (update.code !== 0) {
    process.stderr.write(update.output);
    throw new UserFacingError(`apt-get update failed (exit ${update.code}); cannot install: ${missing.join(' ')}`);
  }
  const install = await runCommand('apt-get', ['install', '-y', ...missing], { env });
  if (install.code !== 0) {
    process.stderr.write(install.output);
    throw new UserFacingError(`apt-get install failed (exit ${install.code}) for: ${missing.join(' ')}`);
  }
  const stillMissing = missing.filter((name) => !isDebPackageInstalled(name));
  if (stillMissing.length > 0) {
    throw new UserFacingError(
      `apt-get reported success but these packages are still missing: ${stillMissing.join(' ')}`,
    );
  }
  log(`Debian packages installed in ${seconds(started)}`);
}

// ---------------------------------------------------------------------------------------------------
// code-server

interface Marker {
  version: string;
  /** Native modules are built for one Node ABI; another Node major needs a fresh install. */
  nodeAbi: string;
  node: string;
  installedAt: string;
  installSeconds: number;
}

function readMarker(installDir: string): Marker | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(installDir, MARKER_FILE), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

function isInstalled(installDir: string): boolean {
  const marker = readMarker(installDir);
  return (
    marker !== undefined &&
    marker.version === CODE_SERVER_VERSION &&
    marker.nodeAbi === process.versions.modules &&
    fs.existsSync(codeServerBin(installDir))
  );
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A lock folder so that two runs on one machine do not install into the same folder at once. */
async function withInstallLock<T>(installDir: string, work: () => Promise<T>): Promise<T> {
  const lockDir = `${installDir}.lock`;
  const pidFile = path.join(lockDir, 'pid');
  const waitUntil = Date.now() + 20 * 60 * 1000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(pidFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      const owner = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : NaN);
      const lockAgeMs = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (Number.isFinite(owner) ? !isProcessAlive(owner) : lockAgeMs > 60_000) {
        log(
          `removing a stale install lock left by ${Number.isFinite(owner) ? `process ${owner}` : 'an unknown process'}`,
        );
        removeDir(lockDir);
        continue;
      }
      if (Date.now() > waitUntil) {
        throw new UserFacingError(`Timed out waiting for another code-server install to finish (lock: ${lockDir}).`);
      }
      if (!announced) {
        log(`another process is installing code-server (lock: ${lockDir}); waiting`);
        announced = true;
      }
      await delay(2000);
    }
  }
  try {
    return await work();
  } finally {
    removeDir(lockDir);
  }
}

/**
 * Puts the prebuilt rg archive where @vscode/ripgrep's postinstall looks before downloading, built from
 * the system's ripgrep, so the install works offline. An archive already there (e.g. a real download) is kept.
 */
export function seedRipgrepCache(): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`no offline ripgrep seed for ${process.platform}-${process.arch}: @vscode/ripgrep will need the network`);
    return;
  }
  const target = path.join(os.tmpdir(), RIPGREP_CACHE_DIR, RIPGREP_TARBALL);
  if (fs.existsSync(target) && fs.statSync(target).size > 0) {
    return;
  }
  const rg = ['/usr/bin/rg', ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'rg'))].find(
    (file) => fs.existsSync(file),
  );
  if (!rg) {
    log('ripgrep (rg) not found: @vscode/ripgrep will try to download its binary');
    return;
  }
  const staging = makeTempDir('rg');
  try {
    fs.copyFileSync(rg, path.join(staging, 'rg'));
    fs.chmodSync(path.join(staging, 'rg'), 0o755);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    execFileSync('tar', ['-czf', partial, '-C', staging, 'rg']);
    fs.renameSync(partial, target);
    log(`seeded ${target} from ${rg}`);
  } finally {
    removeDir(staging);
  }
}

function npmInstallEnv(): NodeJS.ProcessEnv {
  const env = cleanChildEnv();
  // Drop what an enclosing `npm run` exported about this project, and empty values that would override
  // the user's npm configuration (an enclosing npm exports e.g. `npm_config_yes=`).
  for (const key of Object.keys(env)) {
    if (
      key === 'npm_config_local_prefix' ||
      key === 'npm_command' ||
      key.startsWith('npm_package_') ||
      key.startsWith('npm_lifecycle_') ||
      (key.toLowerCase().startsWith('npm_config_') && env[key] === '')
    ) {
      delete env[key];
    }
  }
  // npm 11.16+ blocks dependency install scripts unless allowed; code-server's postinstall (a nested
  // `npm install` in lib/vscode) must run, and inherits these variables.
  env.npm_config_dangerously_allow_all_scripts = 'true';
  // code-server's postinstall refuses to run as root without it.
  env.npm_config_unsafe_perm = 'true';
  // A nested `npx node-gyp` otherwise waits for a confirmation nobody gives.
  env.npm_config_yes = 'true';
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  // Without node headers node-gyp downloads them; use the ones installed with this Node when they match.
  if (!Object.keys(env).some((key) => key.toLowerCase() === 'npm_config_nodedir')) {
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    const versionHeader = path.join(prefix, 'include', 'node', 'node_version.h');
    if (fs.existsSync(versionHeader)) {
      const text = fs.readFileSync(versionHeader, 'utf8');
      const part = (name: string) => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
      const headerVersion = `${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
      if (headerVersion === process.versions.node) {
        env.npm_config_nodedir = prefix;
      }
    }
  }
  return env;
}

/** Loads every native module code-server and VS Code need, with this Node, in a child process. */
async function verifyNativeModules(installDir: string): Promise<void> {
  const vscodeModules = path.join(installDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  const script = `
    const path = require('path');
    const { execFileSync } = require('child_process');
    const vscodeModules = ${JSON.stringify(vscodeModules)};
    const load = (name) => require(require.resolve(name, { paths: [vscodeModules] }));
    load('@vscode/spdlog');
    load('node-pty');
    load('native-watchdog');
    load('kerberos');
    load('@parcel/watcher');
    require(require.resolve('argon2', { paths: [${JSON.stringify(path.join(installDir, 'node_modules', 'code-server'))}] }));
    const rg = load('@vscode/ripgrep').rgPath;
    execFileSync(rg, ['--version']);
    console.log('native modules ok');
  `;
  const result = await runCommand(process.execPath, ['-e', script], { cwd: installDir });
  if (result.code !== 0) {
    throw new Error(`code-server's native modules do not load:\n${result.output}`);
  }
  const bin = codeServerBin(installDir);
  // An explicit config file keeps code-server from writing ~/.config/code-server/config.yaml.
  const configDir = makeTempDir('config');
  fs.writeFileSync(path.join(configDir, 'config.yaml'), 'auth: none\n');
  const version = await runCommand(
    process.execPath,
    [bin, '--config', path.join(configDir, 'config.yaml'), '--version'],
    {
      cwd: installDir,
      env: cleanChildEnv({ XDG_DATA_HOME: configDir }),
    },
  );
  removeDir(configDir);
  if (version.code !== 0 || !version.output.includes(`${CODE_SERVER_VERSION} `)) {
    throw new Error(`\`code-server --version\` failed or printed an unexpected version:\n${version.output}`);
  }
}

/** Starts the fresh install once and checks that it serves the workbench page. */
async function verifyServesWorkbench(bin: string): Promise<void> {
  const folder = makeTempDir('verify-ws');
  try {
    fs.writeFileSync(path.join(folder, 'README.md'), '# check\n');
    const server = await startCodeServer({ bin, workspaceFolder: folder });
    try {
      const response = await fetch(`${server.url}/?folder=${encodeURIComponent(folder)}`);
      const html = await response.text();
      if (response.status !== 200 || !html.includes('workbench.js')) {
        throw new Error(`code-server answered ${response.status} without the workbench page`);
      }
      const asset = html.match(/src="([^"]*workbench\.js)"/)?.[1];
      if (asset) {
        const script = await fetch(new URL(asset, `${server.url}/`));
        if (script.status !== 200) {
          throw new Error(`code-server answered ${script.status} for ${asset}`);
        }
      }
    } finally {
      await server.stop();
    }
  } finally {
    removeDir(folder);
  }
}

async function installCodeServer(installDir: string): Promise<void> {
  const started = Date.now();
  await ensureSystemPackages(BUILD_PACKAGES);
  log(
    `installing code-server ${CODE_SERVER_VERSION} into ${installDir} (native modules are compiled: takes a few minutes)`,
  );
  removeDir(installDir);
  fs.mkdirSync(installDir, { recursive: true });
  fs.writeFileSync(
    path.join(installDir, 'package.json'),
    JSON.stringify(
      {
        name: 'kling-voice-test-code-server',
        private: true,
        description: 'code-server for the Kling Custom Voice integration tests (cache, safe to delete)',
        dependencies: { 'code-server': CODE_SERVER_VERSION },
      },
      undefined,
      2,
    ) + '\n',
  );
  seedRipgrepCache();
  const logFile = path.join(installDir, 'install.log');
  const verbose = Boolean(process.env.KLING_TEST_VERBOSE);
  const npm = await runCommand(
    'npm',
    ['install', '--prefix', installDir, '--omit=dev', '--no-audit', '--no-fund', '--foreground-scripts'],
    { cwd: installDir, env: npmInstallEnv(), echo: verbose },
  );
  fs.writeFileSync(logFile, npm.output);
  if (npm.code !== 0) {
    process.stderr.write(npm.output.split('\n').slice(-60).join('\n') + '\n');
    throw new UserFacingError(
      `npm install of code-server ${CODE_SERVER_VERSION} failed (exit ${npm.code}); full log: ${logFile}.\n` +
        'It needs the npm registry; building its native modules needs: ' +
        BUILD_PACKAGES.join(' '),
    );
  }
  log(`npm install finished in ${seconds(started)}; verifying`);
  const verifyStarted = Date.now();
  try {
    await verifyNativeModules(installDir);
    await verifyServesWorkbench(codeServerBin(installDir));
  } catch (error) {
    throw new UserFacingError(
      `code-server was installed but does not work: ${(error as Error).message}\nnpm log: ${logFile}`,
    );
  }
  log(`verified in ${seconds(verifyStarted)}`);
  const marker: Marker = {
    version: CODE_SERVER_VERSION,
    nodeAbi: process.versions.modules,
    node: process.versions.node,
    installedAt: new Date().toISOString(),
    installSeconds: Math.round((Date.now() - started) / 1000),
  };
  fs.writeFileSync(path.join(installDir, MARKER_FILE), JSON.stringify(marker, undefined, 2) + '\n');
  log(`code-server ${CODE_SERVER_VERSION} ready in ${seconds(started)}`);
}

/** Whether the cache holds a verified install of code-server for this Node. */
export function isCodeServerInstalled(): boolean {
  return isInstalled(codeServerInstallDir());
}

/**
 * Returns the code-server launcher of the cached install, installing it first when the cache has no
 * verified install (a missing marker means a failed or interrupted install, which is redone).
 */
export async function ensureCodeServer(): Promise<string> {
  const installDir = codeServerInstallDir();
  if (isInstalled(installDir)) {
    return codeServerBin(installDir);
  }
  fs.mkdirSync(path.dirname(installDir), { recursive: true });
  return withInstallLock(installDir, async () => {
    // Another process may have finished the install while we waited for the lock.
    if (!isInstalled(installDir)) {
      await installCodeServer(installDir);
    }
    return codeServerBin(installDir);
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  await ensureSystemPackages();
  const bin = await ensureCodeServer();
  log(`code-server ${CODE_SERVER_VERSION}: ${bin} (checked in ${seconds(started)})`);
  process.stdout.write(`${bin}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `[testhost] ${error instanceof UserFacingError ? error.message : String((error as Error).stack ?? error)}\n`,
    );
    process.exitCode = 1;
  });
}
