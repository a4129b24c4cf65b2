// Issue 10: a hostile server, several callers and several windows. VoiceService in the real host, against the
// sandbox or a loopback server that answers what a hostile or broken server would.
import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import fetch from 'node-fetch';
import * as vscode from 'vscode';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import type { FetchLike, VoiceTask } from '../../src/kling';
import { VoiceService } from '../../src/service/voiceService';
import { seedVoice, type Sandbox } from '../../tools/sandbox';
import {
  MemoryMemento,
  TEST_KEY,
  memorySecrets,
  recordingLog,
  rejects,
  setSetting,
  useSandbox,
  waitFor,
} from './helpers';

/** A loopback server answering every request with `answer(method, url)` as a JSON body. */
async function listenJson(
  answer: (method: string, url: string) => string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer(req.method ?? 'GET', req.url ?? '/'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

/** Fails when `text` holds any 6 consecutive characters of `secret`. */
function assertNoFragment(text: string, secret: string, what: string): void {
  for (let i = 0; i + 6 <= secret.length; i++) {
    assert.ok(!text.includes(secret.slice(i, i + 6)), `${what} holds "${secret.slice(i, i + 6)}": ${text}`);
  }
}

describe('Hardening (issue 10) in a real extension host', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await useSandbox();
    await setSetting('pollIntervalSeconds', 0.1);
    await setSetting('requestTimeoutSeconds', 10);
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    sandbox.reset();
    await setSetting('apiBaseUrl', sandbox.url);
  });

  it('a successful answer that echoes the key and the upload token: neither reaches the task, the log or the history', async () => {
    const KEY = 'sk-itest-ECHOED-key-QpLmZnXbVcRtYu';
    const TOKEN = 'upload-token-QwErTy-987654';
    const task = (id: string) => ({
      task_id: id,
      task_status: 'succeed',
      task_status_msg: `quota exceeded for key ${KEY} (token ${TOKEN})`,
      task_result: {
        voices: [{ voice_id: '880000000000000001', voice_name: `v ${KEY}`, trial_url: `https://cdn.test/${KEY}.mp3` }],
      },
    });
    const server = await listenJson((method, url) =>
      JSON.stringify({
        code: 0,
        message: 'SUCCEED',
        request_id: `rid ${KEY}`,
        data:
          method === 'GET' && url.includes('pageNum=')
            ? url.includes('pageNum=1')
              ? [task('7001')]
              : []
            : task('7001'),
      }),
    );
    const { log, lines } = recordingLog();
    const memento = new MemoryMemento();
    const history = new TaskHistory(memento);
    const keys = new KeyStore(memorySecrets({ 'klingVoice.apiKey': KEY, 'klingVoice.upload.http.token': TOKEN }));
    const service = new VoiceService(keys, log, fetch as unknown as FetchLike, history);
    try {
      await setSetting('apiBaseUrl', server.url);
      const created = await service.createVoice({ voiceName: 'Echo', videoId: '123456' });
      const got = await service.getTask('7001');
      const listed = await service.listCustomVoices();
      const everything = [
        JSON.stringify([created, got, listed]),
        lines.join('\n'),
        JSON.stringify(memento.keys().map((k) => memento.get(k))),
      ].join('\n');
      assert.ok(history.get('7001'), 'the task is in the history');
      assert.ok(
        lines.some((l) => l.includes('task 7001 succeed')),
        lines.join('\n'),
      );
      assertNoFragment(everything, KEY, 'the task, the log or the history');
      assertNoFragment(everything, TOKEN, 'the task, the log or the history');
    } finally {
      await setSetting('apiBaseUrl', sandbox.url);
      service.dispose();
      keys.dispose();
      history.dispose();
      await server.close();
    }
  });

  it('cancelling one of three identical joined creates leaves the other two to finish, with one request', async () => {
    const { log, lines } = recordingLog();
    const history = new TaskHistory(new MemoryMemento());
    const keys = new KeyStore(memorySecrets({ 'klingVoice.apiKey': TEST_KEY }));
    const service = new VoiceService(keys, log, fetch as unknown as FetchLike, history);
    try {
      sandbox.faults.push({ kind: 'slow', delayMs: 1500, match: { method: 'POST' } });
      const input = { voiceName: 'Joined', videoId: '123456' };
      const callers = [0, 1, 2].map(() => new AbortController());
      const runs = callers.map((c) =>
        service.createVoice(input, { signal: c.signal, wait: false }).then(
          (t: VoiceTask) => t,
          (e: unknown) => e as Error,
        ),
      );
      await new Promise((r) => setTimeout(r, 300));
      callers[0].abort(); // the first caller, whose request it is, leaves
      const [first, second, third] = await Promise.all(runs);
      assert.ok(first instanceof Error && /cancel/i.test(first.message), String(first));
      assert.ok(!(second instanceof Error), `the second caller was cancelled too: ${String(second)}`);
      assert.ok(!(third instanceof Error), `the third caller was cancelled too: ${String(third)}`);
      assert.strictEqual((second as VoiceTask).taskId, (third as VoiceTask).taskId);
      assert.strictEqual(sandbox.state.requests.filter((r) => r.method === 'POST').length, 1, 'one request');

      // When every caller leaves, the request itself is abandoned.
      sandbox.faults.push({ kind: 'slow', delayMs: 1500, match: { method: 'POST' } });
      const all = [0, 1].map(() => new AbortController());
      const gone = all.map((c) => rejects(service.createVoice({ ...input, voiceName: 'Left' }, { signal: c.signal })));
      await new Promise((r) => setTimeout(r, 300));
      all.forEach((c) => c.abort());
      for (const e of await Promise.all(gone)) {
        assert.strictEqual(e.kind, 'cancelled');
      }
      await waitFor('the abandoned request to be cancelled', () =>
        lines.some((l) => /POST \/v1\/general\/custom-voices cancelled after/.test(l)),
      );
      assert.strictEqual(service.runningCount, 0);
    } finally {
      service.dispose();
      keys.dispose();
      history.dispose();
    }
  });

  it('a hostile voice name: the hover trusts only the commands of its own links; hover and completion show the name cut and cleaned', async () => {
    const evil = `Evil\u202eRTL\u0000\u001b[31m\r\n[run](command:workbench.action.closeWindow) ${'x'.repeat(5000)}`;
    const { voiceId } = seedVoice(sandbox, evil, Date.now());
    await vscode.commands.executeCommand('klingVoice.refreshVoices');
    const content = `{ "voice_id": "${voiceId}" }`;
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
    const hovers = await waitFor('the hover to know the voice', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        doc.positionAt(content.indexOf(voiceId) + 2),
      );
      return h.some((x) => x.contents.some((c) => typeof c !== 'string' && 'value' in c && c.value.includes('Evil')))
        ? h
        : undefined;
    });
    const md = hovers
      .flatMap((h) => h.contents)
      .find((c): c is vscode.MarkdownString => typeof c !== 'string' && 'value' in c && c.value.includes('Evil'));
    assert.ok(md);
    // Trusted for the three commands of its own links only: never for every command, nor for one the name spells.
    assert.deepStrictEqual(md.isTrusted, {
      enabledCommands: ['klingVoice.playTrial', 'klingVoice.copyVoiceId', 'klingVoice.useVoice'],
    });
    assert.ok(md.value.length < 1000, `the name is cut: ${md.value.length} characters`);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(md.value, /[\u0000-\u0008\u000b-\u001f\u202e]/, 'no control or bidi characters');

    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      doc.positionAt(content.indexOf(voiceId)),
    );
    const item = list.items.find((i) => i.insertText === voiceId);
    assert.ok(item, 'completion offers the voice');
    const label = typeof item.label === 'string' ? item.label : item.label.label;
    assert.ok(label.startsWith('EvilRTL'), label);
    assert.ok([...label].length <= 61, `the label is cut: ${label.length}`);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(label, /[\u0000-\u001f\u202e]/);
  });

  describe('two windows sharing globalState (issue 10, row 5)', () => {
    /**
     * One window's globalState: its own copy of a shared store, which learns the other windows' writes only after a
     * delay (as VS Code's extension hosts do), while its own writes apply at once.
     */
    class WindowMemento implements vscode.Memento {
      private readonly _copy = new Map<string, unknown>();
      constructor(private readonly _peers: WindowMemento[]) {
        _peers.push(this);
      }
      keys(): readonly string[] {
        return [...this._copy.keys()];
      }
      get<T>(key: string, defaultValue?: T): T {
        return (this._copy.has(key) ? structuredClone(this._copy.get(key)) : defaultValue) as T;
      }
      update(key: string, value: unknown): Thenable<void> {
        const apply = (m: WindowMemento) =>
          value === undefined ? m._copy.delete(key) : m._copy.set(key, structuredClone(value));
        apply(this);
        for (const peer of this._peers.filter((p) => p !== this)) {
          setTimeout(() => apply(peer), 50);
        }
        return Promise.resolve();
      }
    }
    const task = (taskId: string): VoiceTask => ({ taskId, status: 'submitted', voices: [], createdAt: Date.now() });

    it('tasks created in both windows at once are all kept, in both windows, and resume finds them', async () => {
      const peers: WindowMemento[] = [];
      const a = new TaskHistory(new WindowMemento(peers));
      const b = new TaskHistory(new WindowMemento(peers));
      try {
        await a.record(task('1001'), { voiceName: 'From A' }, 'https://x.test');
        await b.record(task('2002'), { voiceName: 'From B' }, 'https://x.test'); // B has not seen 1001 yet
        await a.record({ ...task('1001'), status: 'processing' });
        await new Promise((r) => setTimeout(r, 200));
        for (const [name, h] of [
          ['A', a],
          ['B', b],
        ] as const) {
          assert.deepStrictEqual(
            h
              .inFlight('https://x.test')
              .map((e) => e.taskId)
              .sort(),
            ['1001', '2002'],
            `window ${name} lost a task`,
          );
        }
        assert.strictEqual(b.get('1001')?.status, 'processing');

        // The unconfirmed creates (what keeps a retry from billing twice) too.
        await a.rememberUnconfirmed('voice-a', 'https://x.test', 'ext-a');
        await b.rememberUnconfirmed('voice-b', 'https://x.test', 'ext-b');
        await new Promise((r) => setTimeout(r, 200));
        for (const h of [a, b]) {
          assert.strictEqual(h.unconfirmed('voice-a', 'https://x.test'), 'ext-a');
          assert.strictEqual(h.unconfirmed('voice-b', 'https://x.test'), 'ext-b');
        }
        await b.forgetUnconfirmed('voice-a', 'https://x.test');
        await new Promise((r) => setTimeout(r, 200));
        assert.strictEqual(a.unconfirmed('voice-a', 'https://x.test'), undefined);
        assert.strictEqual(a.unconfirmed('voice-b', 'https://x.test'), 'ext-b');

        // Hidden tasks too: one key each, so two windows hiding at once keep both.
        await a.hide(['1001']);
        await b.hide(['2002']);
        await new Promise((r) => setTimeout(r, 200));
        for (const h of [a, b]) {
          assert.deepStrictEqual([...h.hidden()].sort(), ['1001', '2002']);
        }
      } finally {
        a.dispose();
        b.dispose();
      }
    });

    /**
     * One window's globalState as VS Code really keeps it (read in code-server 4.100's extension host and workbench):
     * one object per extension; a write sends the whole object, and the other windows' copies are replaced by it when
     * they learn it. Two windows writing different keys within that delay drop each other's key.
     */
    class WholeStateMemento implements vscode.Memento {
      private _copy: Record<string, unknown> = {};
      constructor(private readonly _peers: WholeStateMemento[]) {
        _peers.push(this);
      }
      keys(): readonly string[] {
        return Object.keys(this._copy);
      }
      get<T>(key: string, defaultValue?: T): T {
        return (key in this._copy ? structuredClone(this._copy[key]) : defaultValue) as T;
      }
      update(key: string, value: unknown): Thenable<void> {
        if (value === undefined) {
          delete this._copy[key];
        } else {
          this._copy[key] = structuredClone(value);
        }
        const whole = structuredClone(this._copy);
        for (const peer of this._peers.filter((p) => p !== this)) {
          setTimeout(() => (peer._copy = structuredClone(whole)), 50);
        }
        return Promise.resolve();
      }
    }

    it('with the whole state replaced on every write (as VS Code does), tasks written at once in two windows are kept', async () => {
      const peers: WholeStateMemento[] = [];
      const a = new TaskHistory(new WholeStateMemento(peers));
      const b = new TaskHistory(new WholeStateMemento(peers));
      try {
        await a.record(task('1001'), { voiceName: 'From A' }, 'https://x.test');
        await b.record(task('2002'), { voiceName: 'From B' }, 'https://x.test');
        await a.rememberUnconfirmed('voice-a', 'https://x.test', 'ext-a');
        await b.rememberUnconfirmed('voice-b', 'https://x.test', 'ext-b');
        await new Promise((r) => setTimeout(r, 200));
        const lostAtFirst = ['1001', '2002'].filter((id) => !a.get(id) || !b.get(id));
        assert.ok(lostAtFirst.length > 0, 'the model does drop concurrent writes (else this test proves nothing)');
        await new Promise((r) => setTimeout(r, 2500)); // each window checks its writes again and restores them
        for (const [name, h] of [
          ['A', a],
          ['B', b],
        ] as const) {
          assert.deepStrictEqual(
            h
              .inFlight('https://x.test')
              .map((e) => e.taskId)
              .sort(),
            ['1001', '2002'],
            `window ${name} lost a task`,
          );
          assert.strictEqual(h.unconfirmed('voice-a', 'https://x.test'), 'ext-a', `window ${name}`);
          assert.strictEqual(h.unconfirmed('voice-b', 'https://x.test'), 'ext-b', `window ${name}`);
        }
        // What a window removed stays removed.
        await a.remove('1001');
        await new Promise((r) => setTimeout(r, 2000));
        assert.strictEqual(a.get('1001'), undefined);
        assert.strictEqual(b.get('1001'), undefined);
      } finally {
        a.dispose();
        b.dispose();
      }
    });

    it('a v1 history (one array) is migrated, nothing lost (hidden tasks included)', async () => {
      const memento = new MemoryMemento();
      const entry = { taskId: '3003', voiceName: 'Old', status: 'succeed', voices: [], createdAt: 1, updatedAt: 1 };
      await memento.update('klingVoice.taskHistory.v1', [entry]);
      const u = { key: 'k', baseUrl: 'https://x.test', externalTaskId: 'ext-old', at: Date.now() };
      await memento.update('klingVoice.unconfirmedCreates.v1', [u]);
      await memento.update('klingVoice.hiddenTasks.v1', ['h-new', 7, 'h-old']);
      const h = new TaskHistory(memento);
      try {
        assert.deepStrictEqual([...h.hidden()].sort(), ['h-new', 'h-old']);
        assert.strictEqual(memento.get('klingVoice.hiddenTasks.v1'), undefined);
        assert.deepStrictEqual(h.get('3003'), entry);
        assert.strictEqual(h.unconfirmed('k', 'https://x.test'), 'ext-old');
        assert.strictEqual(memento.get('klingVoice.taskHistory.v1'), undefined);
      } finally {
        h.dispose();
      }
    });
  });
});
