// The Create Voice webview inside a real extension host: the extension's panel command and sidebar view, and a
// FormController (the same class the extension uses, compiled from src/) driving a real webview page loaded
// from dist/createForm.js. The controller is built here rather than reached inside the running extension, so the
// extension needs no test hook.
import * as assert from 'assert';
import fetch from 'node-fetch';
import * as vscode from 'vscode';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import type { FetchLike } from '../../src/kling';
import { VoiceService } from '../../src/service/voiceService';
import { emptyForm, noFileChosen, type CreateFormValues } from '../../src/shared/createForm';
import type { HostToWebview, InvalidMessage, StateMessage, TaskView } from '../../src/shared/protocol/createForm';
import { CreatePanelManager } from '../../src/createForm/panel';
import { attachPanelForm } from '../../src/createForm/controller';
import type { FormController } from '../../src/createForm/controller';
import type { Sandbox } from '../../tools/sandbox';
import {
  EXTENSION_ID,
  MemoryMemento,
  TEST_KEY,
  getApi,
  memorySecrets,
  recordingLog,
  setSetting,
  startFileServer,
  useSandbox,
  waitFor,
  PAGE_READY_MS,
} from './helpers';

const PANEL_VIEW_TYPE = 'klingVoice.createPanel';
const PANEL_TITLE = 'Create Kling Voice';

function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE));
}

/** SecretStorage in memory, holding the test key under the extension's secret name. */
function secretsWithKey(): vscode.SecretStorage {
  return memorySecrets({ 'klingVoice.apiKey': TEST_KEY });
}

function form(overrides: Partial<CreateFormValues>): CreateFormValues {
  return { ...emptyForm(), ...overrides };
}

describe('Create Voice webview', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let files: Awaited<ReturnType<typeof startFileServer>>;

  before(async () => {
    await getApi();
    files = await startFileServer();
    sandbox = await useSandbox();
    await setSetting('pollIntervalSeconds', 0.1);
    await setSetting('requestTimeoutSeconds', 10);
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
  });
  after(async () => {
    for (const tab of panelTabs()) {
      await vscode.window.tabGroups.close(tab);
    }
    await sandbox.close();
    await files.close();
  });

  describe('in the extension', () => {
    it("'Open Create Voice Panel' opens one editor panel and reveals it when run again", async () => {
      for (const tab of panelTabs()) {
        await vscode.window.tabGroups.close(tab);
      }
      await vscode.commands.executeCommand('klingVoice.openPanel');
      const tab = await waitFor('the Create Voice panel tab', () => panelTabs()[0]);
      assert.strictEqual(tab.label, PANEL_TITLE);
      await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
      await vscode.commands.executeCommand('klingVoice.openPanel');
      await waitFor('the panel to be active again', () => panelTabs().find((t) => t.isActive));
      assert.strictEqual(panelTabs().length, 1, 'one panel only');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.strictEqual(panelTabs().length, 0);
    });

    it('contributes the sidebar view and the panel command', async () => {
      const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: {
          views?: Record<string, { id: string; type?: string; name: string }[]>;
          commands: { command: string; title: string; category: string }[];
        };
      };
      const view = Object.values(pkg.contributes.views ?? {})
        .flat()
        .find((v) => v.id === 'klingVoice.create');
      assert.ok(view, 'klingVoice.create is contributed');
      assert.strictEqual(view.type, 'webview');
      const command = pkg.contributes.commands.find((c) => c.command === 'klingVoice.openPanel');
      assert.ok(command);
      assert.strictEqual(command.category, 'Kling Voice');
      // Focusing the view resolves it (the provider is registered), then go back to the explorer.
      await vscode.commands.executeCommand('klingVoice.create.focus');
      await vscode.commands.executeCommand('workbench.view.explorer');
    });
  });

  describe('Edit and Retry in Form (klingVoice.retryInForm)', () => {
    it('fills the sidebar form from a failed task of the extension; a task that did not fail is refused', async () => {
      const api = await getApi();
      const failed = await api.createVoice({ voiceName: 'Retry Cmd', voiceUrl: `${files.url}/short.wav` });
      assert.strictEqual(failed.status, 'failed');
      const form = await vscode.commands.executeCommand<FormController | undefined>(
        'klingVoice.retryInForm',
        failed.taskId,
      );
      assert.ok(form, 'a form took the task');
      assert.strictEqual(form.label, 'view', 'the sidebar form');
      const shown = await waitFor('the failure in the form', () =>
        form.task.phase === 'failed' ? form.task : undefined,
      );
      assert.strictEqual(shown.taskId, failed.taskId);
      assert.strictEqual(shown.voiceName, 'Retry Cmd');

      const succeeded = await api.createVoice({ voiceName: 'Fine Cmd', videoId: '123456' });
      const mark = sandbox.state.requests.length;
      assert.strictEqual(await vscode.commands.executeCommand('klingVoice.retryInForm', succeeded.taskId), undefined);
      assert.strictEqual(await vscode.commands.executeCommand('klingVoice.retryInForm', 'no-such-task'), undefined);
      assert.strictEqual(sandbox.state.requests.length, mark, 'nothing was sent');
      await vscode.commands.executeCommand('workbench.view.explorer');
    });
  });

  describe('FormController on a real webview page', () => {
    let panel: vscode.WebviewPanel;
    let controller: FormController;
    let posted: HostToWebview[];
    let lines: string[];
    let deps: Parameters<typeof attachPanelForm>[1];
    let history: TaskHistory;

    const states = (): TaskView[] => posted.filter((m): m is StateMessage => m.type === 'state').map((m) => m.task);
    const lastState = (): TaskView | undefined => states().at(-1);

    beforeEach(async () => {
      sandbox.reset();
      await setSetting('apiBaseUrl', sandbox.url);
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext);
      const recorded = recordingLog();
      lines = recorded.lines;
      const keys = new KeyStore(secretsWithKey());
      history = new TaskHistory(new MemoryMemento());
      const service = new VoiceService(keys, recorded.log, fetch as unknown as FetchLike, history);
      deps = {
        extensionUri: ext.extensionUri,
        service,
        keys,
        log: recorded.log,
        context: { secrets: secretsWithKey(), globalState: new MemoryMemento() },
      };
      panel = vscode.window.createWebviewPanel('klingVoice.webviewTest', 'Form under test', {
        viewColumn: vscode.ViewColumn.Active,
        preserveFocus: false,
      });
      controller = attachPanelForm(panel, deps, 'test');
      posted = [];
      controller.onDidPost((m) => posted.push(m));
      panel.onDidDispose(() => {
        keys.dispose();
        service.dispose();
      });
      // The real page (dist/createForm.js) loads, says `ready`, and gets the state.
      await waitFor('the page to say ready', () => controller.isReady, PAGE_READY_MS);
      await waitFor('the first state', () => lastState());
    });
    afterEach(async () => {
      panel.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('answers the ready handshake with the state: idle, key present', () => {
      const first = posted.find((m): m is StateMessage => m.type === 'state');
      assert.ok(first);
      assert.deepStrictEqual(first.task, { phase: 'idle' });
      assert.strictEqual(first.hasApiKey, true);
    });

    it('logs and drops malformed messages: nothing is posted back and nothing is sent', async () => {
      const malformed: unknown[] = [
        null,
        undefined,
        'submit',
        42,
        [],
        [{ type: 'ready' }],
        {},
        { type: 'nope' },
        { type: 'submit' },
        { type: 'submit', form: null },
        { type: 'submit', form: { ...form({ voiceName: 'A', voiceUrl: `${files.url}/sample.wav` }), voiceName: 7 } },
        { type: 'submit', form: { ...form({ voiceName: 'A', voiceUrl: `${files.url}/sample.wav` }), extra: 'x' } },
        { type: 'submit', form: form({ voiceName: 'A'.repeat(100_000), voiceUrl: `${files.url}/sample.wav` }) },
        { type: 'submit', form: { form: form({ voiceName: 'A', voiceUrl: `${files.url}/sample.wav` }) } },
        { type: 'cancel', extra: 1 },
        { type: 'copyVoiceId', voiceId: '123' },
      ];
      const before = posted.length;
      const warnsBefore = lines.filter((l) => l.startsWith('warn')).length;
      for (const m of malformed) {
        assert.strictEqual(controller.handleMessage(m), false, JSON.stringify(m) ?? String(m));
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.strictEqual(posted.length, before, 'no reply to a malformed message');
      assert.strictEqual(
        lines.filter((l) => l.startsWith('warn') && l.includes('dropped a malformed message')).length - warnsBefore,
        malformed.length,
      );
      assert.strictEqual(sandbox.state.requests.length, 0);
      assert.deepStrictEqual(controller.task, { phase: 'idle' });
    });

    it('validates again on the host: a 21-character name from the page is refused and nothing is sent', async () => {
      const accepted = controller.handleMessage({
        type: 'submit',
        form: form({ voiceName: 'x'.repeat(21), voiceUrl: `${files.url}/sample.wav` }),
      });
      assert.strictEqual(accepted, true, 'well-formed, so the guard lets it through');
      const invalid = await waitFor('the invalid reply', () =>
        posted.find((m): m is InvalidMessage => m.type === 'invalid'),
      );
      assert.match(invalid.errors.voiceName ?? '', /21 characters/);
      assert.strictEqual(sandbox.state.requests.length, 0);
      assert.deepStrictEqual(controller.task, { phase: 'idle' });
    });

    it('refuses the local-file source while no file is chosen', async () => {
      controller.handleMessage({ type: 'submit', form: form({ voiceName: 'From file', source: 'file' }) });
      const invalid = await waitFor('the invalid reply', () =>
        posted.find((m): m is InvalidMessage => m.type === 'invalid'),
      );
      assert.strictEqual(invalid.errors.file, noFileChosen());
      assert.strictEqual(sandbox.state.requests.length, 0);
    });

    it('creates a voice from a URL, reports progress, and ends with the result (trial URL kept)', async () => {
      const ok = controller.handleMessage({
        type: 'submit',
        form: form({
          voiceName: '  Webview voice ',
          voiceUrl: `${files.url}/sample.wav`,
          videoId: 'ignored for the URL source',
        }),
      });
      assert.strictEqual(ok, true);
      const done = await waitFor('the result', () => {
        const s = lastState();
        return s && (s.phase === 'succeeded' || s.phase === 'failed') ? s : undefined;
      });
      assert.strictEqual(done.phase, 'succeeded', JSON.stringify(done));
      const phases = states().map((s) => (s.phase === 'running' ? `running:${s.status}` : s.phase));
      assert.ok(phases.includes('running:submitting'), phases.join(' '));
      const created = sandbox.state.findTask(done.taskId);
      assert.ok(created, 'the task exists in the sandbox');
      assert.strictEqual(created.voiceName, 'Webview voice');
      assert.strictEqual(created.videoId, undefined, 'only the chosen source is sent');
      assert.strictEqual(done.voiceId, created.voice?.voice_id);
      assert.ok(done.trialUrl?.startsWith('http://127.0.0.1:'), done.trialUrl);
      const posts = sandbox.state.requests.filter((r) => r.method === 'POST');
      assert.strictEqual(posts.length, 1);
      // Create another: back to the empty form.
      controller.handleMessage({ type: 'reset' });
      await waitFor('idle again', () => (lastState()?.phase === 'idle' ? true : undefined));
    });

    it('shows the reason of a failed task', async () => {
      controller.handleMessage({
        type: 'submit',
        form: form({ voiceName: 'Too short', voiceUrl: `${files.url}/short.wav` }),
      });
      const done = await waitFor('the end', () => {
        const s = lastState();
        return s?.phase === 'failed' ? s : undefined;
      });
      assert.strictEqual(done.reason, 'task');
      assert.match(done.message, /duration|5-30|5–30/);
      assert.ok(done.taskId);
    });

    it('Edit and Retry fills the form from a failed task (name, URL, reason, a new external id); a busy form refuses', async () => {
      controller.handleMessage({
        type: 'submit',
        form: form({ voiceName: 'Retry me', voiceUrl: `${files.url}/short.wav`, externalTaskId: 'first-try' }),
      });
      const failed = await waitFor('the failure', () => {
        const s = lastState();
        return s?.phase === 'failed' ? s : undefined;
      });
      controller.handleMessage({ type: 'reset' });
      await waitFor('idle again', () => (lastState()?.phase === 'idle' ? true : undefined));
      const entry = history.get(failed.taskId ?? '');
      assert.ok(entry && entry.status === 'failed');
      posted.length = 0;
      const ok = await controller.editAndRetry(entry);
      assert.strictEqual(ok, true);
      const prefill = await waitFor('the prefill', () => posted.find((m) => m.type === 'prefill'));
      assert.deepStrictEqual(prefill, {
        type: 'prefill',
        form: form({ voiceName: 'Retry me', voiceUrl: `${files.url}/short.wav` }),
      });
      const shown = lastState();
      assert.ok(shown?.phase === 'failed' && shown.taskId === entry.taskId, JSON.stringify(shown));
      assert.strictEqual(shown.message, failed.message, "Kling's reason shows above the filled form");

      const slow = await useSandbox({ processingDelayMs: 60_000 });
      try {
        controller.handleMessage({
          type: 'submit',
          form: form({ voiceName: 'Busy', source: 'video', videoId: '123456' }),
        });
        await waitFor('the task to run', () => (controller.busy ? true : undefined));
        posted.length = 0;
        assert.strictEqual(await controller.editAndRetry(entry), false);
        assert.strictEqual(posted.filter((m) => m.type === 'prefill').length, 0, 'a running form is not overwritten');
        assert.strictEqual(lastState()?.phase ?? 'running', 'running');
        controller.handleMessage({ type: 'cancel' });
        await waitFor('the cancel', () => (controller.busy ? undefined : true));
      } finally {
        await slow.close();
        await setSetting('apiBaseUrl', sandbox.url);
      }
    });

    it('shows an API error (1102) in the form', async () => {
      sandbox.faults.push({ kind: 'balance' });
      controller.handleMessage({
        type: 'submit',
        form: form({ voiceName: 'No money', source: 'video', videoId: '123456' }),
      });
      const done = await waitFor('the error', () => {
        const s = lastState();
        return s?.phase === 'failed' ? s : undefined;
      });
      assert.strictEqual(done.reason, 'error');
      assert.match(done.message, /1102|balance|resource/i);
    });

    it('Cancel aborts the polling of the running task', async () => {
      const slow = await useSandbox({ processingDelayMs: 60_000 });
      try {
        controller.handleMessage({
          type: 'submit',
          form: form({ voiceName: 'Cancel me', source: 'video', videoId: '123456' }),
        });
        await waitFor('the task to be polled', () => slow.state.requests.some((r) => r.method === 'GET'));
        assert.strictEqual(controller.handleMessage({ type: 'cancel' }), true);
        const done = await waitFor('the cancelled state', () => {
          const s = lastState();
          return s?.phase === 'failed' ? s : undefined;
        });
        assert.strictEqual(done.reason, 'cancelled');
        assert.ok(done.taskId && slow.state.findTask(done.taskId));
        const count = slow.state.requests.length;
        await new Promise((r) => setTimeout(r, 500));
        assert.strictEqual(slow.state.requests.length, count, 'no polling after cancel');
      } finally {
        await slow.close();
        await setSetting('apiBaseUrl', sandbox.url);
      }
    });

    it('replays the state when the page reloads (hidden, then shown again)', async () => {
      controller.handleMessage({
        type: 'submit',
        form: form({ voiceName: 'Replayed', source: 'video', videoId: '123456' }),
      });
      const done = await waitFor('the result', () => (lastState()?.phase === 'succeeded' ? lastState() : undefined));
      assert.strictEqual(done?.phase, 'succeeded');
      // Another editor on top hides the panel; its page is destroyed (no retainContextWhenHidden).
      await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
      await waitFor('the panel to be hidden', () => (!panel.visible ? true : undefined));
      assert.strictEqual(controller.isReady, false);
      const count = posted.length;
      panel.reveal(vscode.ViewColumn.Active);
      await waitFor('the page to say ready again', () => controller.isReady, PAGE_READY_MS);
      const replay = await waitFor('the replayed state', () =>
        posted.slice(count).find((m): m is StateMessage => m.type === 'state'),
      );
      assert.deepStrictEqual(replay.task, done);
    });

    it('restores a panel after a reload from the task history, trusting nothing else from the saved state', async () => {
      controller.handleMessage({
        type: 'submit',
        form: form({ voiceName: 'Before reload', source: 'video', videoId: '123456' }),
      });
      const done = await waitFor('the result', () => (lastState()?.phase === 'succeeded' ? lastState() : undefined));
      assert.ok(done?.phase === 'succeeded');
      const requests = sandbox.state.requests.length;
      const manager = new CreatePanelManager(deps, () => new vscode.Disposable(() => undefined));
      const restore = async (state: unknown): Promise<TaskView | undefined> => {
        const revived = vscode.window.createWebviewPanel('klingVoice.webviewTest', 'Restored form', {
          viewColumn: vscode.ViewColumn.Active,
          preserveFocus: false,
        });
        await manager.deserializeWebviewPanel(revived, state);
        const c = manager.controller;
        assert.ok(c);
        const task = c.task;
        await waitFor('the restored page to say ready', () => c.isReady, PAGE_READY_MS);
        revived.dispose();
        return task;
      };
      // What the page saved: the form and the task id; the host looks the id up in its own history (no network).
      assert.deepStrictEqual(await restore({ form: emptyForm(), taskId: done.taskId }), done);
      assert.strictEqual(sandbox.state.requests.length, requests, 'a finished task is restored without a request');
      for (const bad of [
        undefined,
        null,
        'x',
        { taskId: 42 },
        { taskId: 'has space' },
        { taskId: 'x'.repeat(300) },
        { taskId: 'unknown-task' },
        { voiceId: done.voiceId },
      ]) {
        assert.deepStrictEqual(await restore(bad), { phase: 'idle' }, JSON.stringify(bad));
      }
      assert.ok(history.get(done.taskId));
      manager.dispose();
    });
  });
});
