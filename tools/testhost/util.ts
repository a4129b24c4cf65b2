// Small helpers shared by the test-host scripts: paths, logging, child processes, temp folders.
import { spawn, type SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root, derived from the location of the compiled file (out/tools/testhost/*.js). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'tools', 'testhost'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`Cannot find the repository root above ${__dirname}`);
    }
    dir = parent;
  }
}

/** Prints a progress line of the test host on stderr, so stdout stays for test output. */
export function log(message: string): void {
  process.stderr.write(`[testhost] ${message}\n`);
}

export function seconds(startMs: number): string {
  return `${((Date.now() - startMs) / 1000).toFixed(1)} s`;
}

/** An error whose message is meant for the user as is (no stack trace needed). */
export class UserFacingError extends Error {}

/** Creates a fresh folder under the OS temp folder. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `kling-voice-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs a command to completion. Output is collected (and echoed to stderr when `echo` is set).
 * Never rejects for a non-zero exit: the caller decides what a failure means.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { echo?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: string[] = [];
    const onData = (data: Buffer) => {
      const text = data.toString();
      chunks.push(text);
      if (options.echo) {
        process.stderr.write(text);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output: chunks.join('') }));
  });
}

function childrenByParent(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return map;
  }
  for (const name of entries) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(name));
      map.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  return map;
}

/** The pid and all its descendants (Linux /proc), parents first. */
export function processTree(pid: number): number[] {
  const map = childrenByParent();
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    result.push(current);
    queue.push(...(map.get(current) ?? []));
  }
  return result;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalAll(pids: readonly number[], groupLeader: number | undefined, signal: NodeJS.Signals): void {
  if (groupLeader !== undefined) {
    try {
      process.kill(-groupLeader, signal);
    } catch {
      // The group is gone already.
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Ends a process and everything it started: SIGTERM to the process group (when the child was
 * spawned detached) and to every descendant found in /proc, then SIGKILL to whatever is left.
 */
export async function killProcessTree(
  pid: number,
  options: { processGroup?: boolean; graceMs?: number } = {},
): Promise<void> {
  const graceMs = options.graceMs ?? 5000;
  // Collect descendants before signalling: once the parent is gone, orphans are re-parented.
  let pids = processTree(pid);
  const group = options.processGroup ? pid : undefined;
  signalAll(pids, group, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    pids = pids.filter(isAlive);
    if (pids.length === 0) {
      break;
    }
    await delay(100);
  }
  pids = pids.filter(isAlive);
  signalAll(pids, group, 'SIGKILL');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Removes variables that would make code-server or VS Code behave differently from a clean start. */
export function cleanChildEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    // PORT overrides code-server's --bind-addr; VSCODE_IPC_HOOK_CLI makes it hand its arguments to the
    // code-server or VS Code whose terminal we run in instead of starting; ELECTRON_RUN_AS_NODE and other
    // VSCODE_* variables leak from a VS Code terminal.
    if (
      key === 'PORT' ||
      key === 'PASSWORD' ||
      key === 'HASHED_PASSWORD' ||
      key === 'ELECTRON_RUN_AS_NODE' ||
      key.startsWith('CODE_SERVER_') ||
      key.startsWith('VSCODE_')
    ) {
      delete env[key];
    }
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) {
      delete env[key];
    } else {
      env[key] = value;
    }
  }
  return env;
}
