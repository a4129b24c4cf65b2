import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as vscode from 'vscode';
import type { KlingVoiceApi } from '../../src/api';
import { Sandbox, SandboxOptions, startSandbox } from '../../tools/sandbox';
import { sineWav } from '../../tools/sandbox/wav';

export const EXTENSION_ID = 'klingvoice.kling-custom-voice';
/** A key made up for the tests; the tests check it never leaks. */
export const TEST_KEY = 'itest-key-9b7e5c3a1f';

export async function getApi(): Promise<KlingVoiceApi> {
  const ext = vscode.extensions.getExtension<KlingVoiceApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('klingVoice').update(key, value, vscode.ConfigurationTarget.Global);
}

/**
 * Starts a sandbox and points the extension at it. Every suite calls it in its setup, so it also pre-accepts the
 * speaker's consent (klingVoice.consent.preAccepted), which only the consent tests are about: they pass
 * `{ askConsent: true }` (in the test host a modal cannot show, so the real question would refuse every create).
 */
export async function useSandbox(options: SandboxOptions = {}, setup: { askConsent?: boolean } = {}): Promise<Sandbox> {
  const sb = await startSandbox({ apiKey: TEST_KEY, processingDelayMs: 400, ...options });
  await setSetting('apiBaseUrl', sb.url);
  await setSetting('consent.preAccepted', setup.askConsent ? undefined : true);
  return sb;
}

/** A loopback server for sample files: /sample.wav (8 s), /short.wav (2 s) (with any query), anything else 404. */
export async function startFileServer(): Promise<{
  url: string;
  requests: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}> {
  const requests: http.IncomingHttpHeaders[] = [];
  const ok = sineWav(8);
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    // A query (a signed link's) does not change the file, as on a real store.
    const path = (req.url ?? '').split('?')[0];
    if (path === '/sample.wav') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      res.end(ok);
    } else if (path === '/short.wav') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      res.end(sineWav(2));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

export async function rejects(
  p: Thenable<unknown>,
): Promise<Error & { kind?: string; code?: number; status?: number; retryable?: boolean; taskId?: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/**
 * How long a webview page may take to say `ready`. Usually under a second; but this workbench stalls every webview's
 * resource loading for about 30 s after a tab closed while its page was still loading (seen in code-server 4.100),
 * so a page opened just after that waits out the stall.
 */
export const PAGE_READY_MS = 45_000;

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Memento in memory (globalState, workspaceState, the task history's store). */
export class MemoryMemento implements vscode.Memento {
  private readonly _values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this._values.keys()];
  }
  get<T>(key: string, defaultValue?: T): T {
    return (this._values.has(key) ? this._values.get(key) : defaultValue) as T;
  }
  update(key: string, value: unknown): Thenable<void> {
    this._values.set(key, value);
    return Promise.resolve();
  }
}

/** SecretStorage in memory, holding `values` to begin with. */
export function memorySecrets(values: Record<string, string> = {}): vscode.SecretStorage {
  const map = new Map(Object.entries(values));
  const changed = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  return {
    get: (key: string) => Promise.resolve(map.get(key)),
    store: (key: string, value: string) => {
      map.set(key, value);
      changed.fire({ key });
      return Promise.resolve();
    },
    delete: (key: string) => {
      map.delete(key);
      changed.fire({ key });
      return Promise.resolve();
    },
    onDidChange: changed.event,
  } as unknown as vscode.SecretStorage;
}

/** A LogOutputChannel that only records lines ("warn …", "error …"). */
export function recordingLog(): { log: vscode.LogOutputChannel; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: unknown) => {
    lines.push(`${level} ${String(message)}`);
  };
  const log = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    show: () => undefined,
  } as unknown as vscode.LogOutputChannel;
  return { log, lines };
}
