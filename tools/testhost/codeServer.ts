// Starts code-server (VS Code for the Web) on 127.0.0.1 with throw-away user data and extensions folders.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { Readable } from 'stream';
import { cleanChildEnv, delay, killProcessTree, log, makeTempDir, removeDir, UserFacingError } from './util';

export interface CodeServerOptions {
  /** The code-server launcher (from `ensureCodeServer()`); it is run with the current Node. */
  bin: string;
  /** Folder opened by default when the browser comes without `?folder=`. */
  workspaceFolder: string;
  /** User settings, written to `<user-data-dir>/User/settings.json` over a few quiet defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server; the extension host inherits it. `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Port to bind on; a free one when omitted or 0. */
  port?: number;
  /** Use this user data folder instead of a fresh temp one (it is not removed by `stop()`). */
  userDataDir?: string;
  /** Use this extensions folder instead of a fresh temp one (it is not removed by `stop()`). */
  extensionsDir?: string;
  /** More command-line arguments for code-server. */
  extraArgs?: readonly string[];
  /** Echo code-server's own log to stderr (also when KLING_TEST_VERBOSE is set). */
  echo?: boolean;
  /** How long to wait for the HTTP server (default 60 s). */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  pid: number;
  userDataDir: string;
  extensionsDir: string;
  /** What code-server printed so far (the last 256 KB). */
  output(): string;
  /** Resolves with the exit code when code-server ends (for whatever reason). */
  exited: Promise<number | null>;
  /** Ends code-server and every process it started, and removes the temp folders. Safe to call twice. */
  stop(): Promise<void>;
}

/** Settings that keep a test or demo session quiet and offline. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  // Demo and test folders may sit inside a git checkout; don't offer to open it.
  'git.openRepositoryInParentFolders': 'never',
  // The extension opens its walkthrough on a fresh install (every test profile is one) unless this is off; the
  // walkthrough's own end-to-end test turns it on.
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
};

const MAX_OUTPUT = 256 * 1024;

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Settings of machine scope: code-server's extension host runs on the "remote" side, where a machine-scoped setting
 * is read from `<user-data-dir>/Machine/settings.json` and the User settings' value is ignored (the workbench page
 * reads the User one). Seen with openOnInstall: false in User settings, the extension read true and opened its
 * walkthrough in every test window.
 */
const MACHINE_SCOPED = new Set(['workbench.welcomePage.walkthroughs.openOnInstall']);

export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const all: Record<string, unknown> = { ...DEFAULT_SETTINGS, ...settings };
  const write = (folder: string, values: Record<string, unknown>) => {
    fs.mkdirSync(path.join(userDataDir, folder), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, folder, 'settings.json'), JSON.stringify(values, undefined, 2) + '\n');
  };
  write('User', all);
  // Only the machine-scoped ones: a Machine value overrides the User one on the extension host's side, so a test's
  // change of any other setting (written to User settings) must not be shadowed.
  write('Machine', Object.fromEntries(Object.entries(all).filter(([key]) => MACHINE_SCOPED.has(key))));
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const host = '127.0.0.1';
  const port = await choosePort(options.port, host);
  const folders = prepareFolders(options);
  const { root, userDataDir, extensionsDir } = folders;
  const args = codeServerArgs(options, `${host}:${port}`, folders);
  // code-server keeps its own logs and heartbeat under $XDG_DATA_HOME/code-server: keep them in the temp folder.
  const env = cleanChildEnv({ XDG_DATA_HOME: path.join(root, 'data'), ...options.env });
  // Detached: code-server gets its own process group, so stop() can end all of it at once.
  const child = spawn(process.execPath, args, {
    cwd: options.workspaceFolder,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) {
    removeDir(root);
    throw new Error(`Could not start code-server (${options.bin})`);
  }

  const echo = options.echo || Boolean(process.env.KLING_TEST_VERBOSE);
  const output = captureOutput(child, echo);
  const exit = watchExit(child);
  const stop = stopper(pid, root, exit);
  const url = `http://${host}:${port}`;
  await waitUntilServing(url, options.startTimeoutMs ?? 60_000, exit, output, stop);
  if (echo) {
    log(`code-server serving ${url} (pid ${pid})`);
  }
  return { url, port, pid, userDataDir, extensionsDir, output, exited: exit.exited, stop };
}

/** The port asked for (which must be free), or a free one. */
async function choosePort(asked: number | undefined, host: string): Promise<number> {
  const port = asked ? asked : await findFreePort(host);
  if (asked && !(await isPortFree(port, host))) {
    throw new UserFacingError(`Port ${port} on ${host} is already in use; choose another one (e.g. PORT=8081).`);
  }
  return port;
}

interface Folders {
  /** The temp folder, removed by stop(). */
  root: string;
  userDataDir: string;
  extensionsDir: string;
  configFile: string;
}

/** Creates the temp folder with the user settings, the extensions folder and code-server's config file. */
function prepareFolders(options: CodeServerOptions): Folders {
  const root = makeTempDir('code-server');
  const userDataDir = options.userDataDir ?? path.join(root, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(root, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, options.settings ?? {});
  // An explicit config file keeps code-server from creating ~/.config/code-server/config.yaml.
  const configFile = path.join(root, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');
  return { root, userDataDir, extensionsDir, configFile };
}

/** The command line after `node`: the launcher, then its options, then the folder to open. */
function codeServerArgs(options: CodeServerOptions, bindAddr: string, folders: Folders): string[] {
  return [
    options.bin,
    '--config',
    folders.configFile,
    '--auth',
    'none',
    '--bind-addr',
    bindAddr,
    '--user-data-dir',
    folders.userDataDir,
    '--extensions-dir',
    folders.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    ...(options.extraArgs ?? []),
    options.workspaceFolder,
  ];
}

/** Keeps the last MAX_OUTPUT characters of what the child prints (echoed to stderr when asked); returns a reader. */
function captureOutput(child: { stdout: Readable; stderr: Readable }, echo: boolean): () => string {
  let output = '';
  const onData = (data: Buffer) => {
    const text = data.toString();
    output = (output + text).slice(-MAX_OUTPUT);
    if (echo) {
      process.stderr.write(text.replace(/^(?=.)/gm, '[code-server] '));
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return () => output;
}

interface ExitWatch {
  /** Resolves with the exit code (128 for a signal, 1 for a spawn error). */
  exited: Promise<number | null>;
  /** The exit code once the child has ended; undefined while it runs. */
  code(): number | null | undefined;
}

function watchExit(child: ChildProcess): ExitWatch {
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : null);
      resolve(exitCode);
    });
    child.on('error', () => {
      exitCode = exitCode ?? 1;
      resolve(exitCode);
    });
  });
  return { exited, code: () => exitCode };
}

/**
 * The stop() of a started code-server: ends its process group and removes the temp folder, once however often it
 * is called. Until then, a hook on our own exit kills the group, so code-server is not left behind.
 */
function stopper(pid: number, root: string, exit: ExitWatch): () => Promise<void> {
  // Last resort if our process ends without calling stop(): don't leave code-server behind.
  const onProcessExit = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.on('exit', onProcessExit);

  let stopping: Promise<void> | undefined;
  return (): Promise<void> => {
    stopping ??= (async () => {
      if (exit.code() === undefined) {
        await killProcessTree(pid, { processGroup: true });
        await Promise.race([exit.exited, delay(5000)]);
      } else {
        // The main process is gone; its group may still hold extension hosts.
        await killProcessTree(pid, { processGroup: true, graceMs: 1000 });
      }
      process.removeListener('exit', onProcessExit);
      removeDir(root);
    })();
    return stopping;
  };
}

/** Polls `/healthz` until it answers 200; stops code-server and throws when it exits first or the time is up. */
async function waitUntilServing(
  url: string,
  timeoutMs: number,
  exit: ExitWatch,
  output: () => string,
  stop: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit.code() !== undefined) {
      await stop();
      throw new Error(`code-server exited (code ${exit.code()}) before serving. Its output:\n${output()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) {
        break;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not serve ${url} within ${timeoutMs / 1000} s. Its output:\n${output()}`);
    }
    await delay(250);
  }
}
