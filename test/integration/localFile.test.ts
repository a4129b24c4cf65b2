// The Create Voice form's local-file source and the trimmer in a real extension host: real webview pages
// (dist/createForm.js, dist/trimmer.js), a real S3-compatible server on loopback that checks signatures, and the
// API sandbox that downloads the presigned URL. Controllers are built here (as in webview.test.ts).
import * as assert from 'assert';
import fetch from 'node-fetch';
import * as vscode from 'vscode';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import type { FetchLike } from '../../src/kling';
import { VoiceService } from '../../src/service/voiceService';
import { emptyForm, type CreateFormValues } from '../../src/shared/createForm';
import type { HostToWebview, InvalidMessage, StateMessage, TaskView } from '../../src/shared/protocol/createForm';
import type {
  HostToTrimmer,
  TrimmerLoadErrorMessage,
  TrimmerLoadMessage,
  TrimmerPreviewMessage,
  TrimmerStatusMessage,
  TrimmerTaskView,
} from '../../src/shared/protocol/trimmer';
import { TrimmerPanels } from '../../src/trimmer';
import { attachTrimmer, notRestored } from '../../src/trimmer/trimmerController';
import type { TrimmerController } from '../../src/trimmer/trimmerController';
import { UPLOAD_SECRETS } from '../../src/upload/vscodeUpload';
import { attachPanelForm } from '../../src/createForm/controller';
import { noProviderMessage, chosenFileKey, type FormController } from '../../src/createForm/controller';
import { concat, noise, silence, speechLike, wavBytes } from '../../tools/fixtures/audio';
import { startS3Server, type S3TestServer } from '../../tools/fakes/s3server';
import type { Sandbox } from '../../tools/sandbox';
import {
  EXTENSION_ID,
  MemoryMemento,
  TEST_KEY,
  getApi,
  memorySecrets,
  recordingLog,
  setSetting,
  useSandbox,
  waitFor,
  PAGE_READY_MS,
} from './helpers';

describe('Local file source and trimmer (real host, S3 on loopback)', function () {
  this.timeout(90_000);
  let sandbox: Sandbox;
  let s3: S3TestServer;
  let dir: vscode.Uri;
  const file = (name: string) => vscode.Uri.joinPath(dir, name);

  before(async () => {
    await getApi();
    sandbox = await useSandbox();
    await setSetting('pollIntervalSeconds', 0.1);
    await setSetting('requestTimeoutSeconds', 10);
    s3 = await startS3Server();
    await setSetting('upload.provider', 's3');
    await setSetting('upload.s3.endpoint', s3.endpoint);
    await setSetting('upload.s3.bucket', s3.bucket);
    await setSetting('upload.s3.region', 'us-east-1');
    await setSetting('upload.consentedDestinations', [`${s3.endpoint}/${s3.bucket}`]);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder);
    dir = vscode.Uri.joinPath(folder, 'local-file-samples');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(file('ok.wav'), wavBytes([speechLike(8)]));
    await vscode.workspace.fs.writeFile(
      file('long.wav'),
      wavBytes([concat(silence(6), speechLike(20), noise(14, 16000, 0.01))]),
    );
    // 12 min of 8 kHz 8-bit mono: 5.8 MB, under the size cap, over the 10 min the host decodes.
    await vscode.workspace.fs.writeFile(
      file('interview.wav'),
      wavBytes([speechLike(720, 8000)], { sampleRate: 8000, bits: 8 }),
    );
  });

  after(async () => {
    await setSetting('upload.provider', 'none');
    await setSetting('upload.consentedDestinations', []);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await sandbox.close();
    await s3.close();
  });

  function makeDeps() {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const recorded = recordingLog();
    const keys = new KeyStore(memorySecrets({ 'klingVoice.apiKey': TEST_KEY }));
    const service = new VoiceService(
      keys,
      recorded.log,
      fetch as unknown as FetchLike,
      new TaskHistory(new MemoryMemento()),
    );
    const secrets = memorySecrets({
      [UPLOAD_SECRETS.s3AccessKeyId]: s3.accessKeyId,
      [UPLOAD_SECRETS.s3SecretAccessKey]: s3.secretAccessKey,
    });
    return {
      extensionUri: ext.extensionUri,
      service,
      keys,
      log: recorded.log,
      lines: recorded.lines,
      context: { secrets, globalState: new MemoryMemento() },
    };
  }

  beforeEach(async () => {
    sandbox.reset();
    s3.requests.length = 0;
    s3.refuseDownloads = false;
    await setSetting('apiBaseUrl', sandbox.url);
    await setSetting('upload.provider', 's3');
  });

  describe('Create Voice form, local file', () => {
    let deps: ReturnType<typeof makeDeps>;
    let panel: vscode.WebviewPanel;
    let controller: FormController;
    let posted: HostToWebview[];
    const states = () => posted.filter((m): m is StateMessage => m.type === 'state');
    const lastTask = (): TaskView | undefined => states().at(-1)?.task;
    const form = (o: Partial<CreateFormValues>): CreateFormValues => ({ ...emptyForm(), source: 'file', ...o });

    beforeEach(async () => {
      deps = makeDeps();
      panel = vscode.window.createWebviewPanel('klingVoice.localFileTest', 'Form under test', vscode.ViewColumn.Active);
      controller = attachPanelForm(panel, deps, 'test');
      posted = [];
      controller.onDidPost((m) => posted.push(m));
      await waitFor('the page to say ready', () => controller.isReady, PAGE_READY_MS);
      await waitFor('the first state', () => states()[0]);
    });
    afterEach(() => panel.dispose());

    it('checks the chosen file on the host and shows its real numbers and quality', async () => {
      const view = await controller.useFile(file('ok.wav'));
      assert.strictEqual(view.usable, true, view.problems.join(' '));
      assert.strictEqual(view.fileName, 'ok.wav');
      assert.ok(Math.abs((view.durationSec ?? 0) - 8) < 0.01);
      assert.strictEqual(view.channels, 1);
      assert.match(view.format ?? '', /WAV/);
      assert.ok(view.quality && view.quality.peakDbfs < 0);
      const shown = await waitFor(
        'the file in the state',
        () => states().find((s) => s.file && !s.file.checking)?.file,
      );
      assert.deepStrictEqual(shown, view);
      assert.ok(
        states().some((s) => s.file?.checking),
        'a "checking" state came first',
      );
    });

    it('refuses a 40 s file with its numbers, offers the trimmer, and sends nothing', async () => {
      const view = await controller.useFile(file('long.wav'));
      assert.strictEqual(view.usable, false);
      assert.match(view.problems.join(' '), /40\.0 s long; Kling accepts 5–30 s/);
      assert.strictEqual(view.trimmable, true);
      controller.handleMessage({ type: 'submit', form: form({ voiceName: 'Too long' }) });
      const invalid = await waitFor('the invalid reply', () =>
        posted.find((m): m is InvalidMessage => m.type === 'invalid'),
      );
      assert.match(invalid.errors.file ?? '', /40\.0 s/);
      assert.strictEqual(sandbox.state.requests.length, 0);
      assert.strictEqual(s3.requests.length, 0);
    });

    it('a 12 min file is not decoded: its facts are shown, with its length and the 10 min limit, and no trimmer', async () => {
      const view = await controller.useFile(file('interview.wav'));
      assert.strictEqual(view.usable, false);
      assert.ok(Math.abs((view.durationSec ?? 0) - 720) < 0.01, `duration ${view.durationSec}`);
      assert.strictEqual(view.channels, 1);
      assert.strictEqual(view.sampleRate, 8000);
      assert.match(view.format ?? '', /WAV/);
      assert.strictEqual(view.quality, undefined, 'not decoded, so not measured');
      assert.match(view.problems.join(' '), /720\.0 s \(12 min\) long; .*files over 10 min are not decoded here/);
      assert.strictEqual(view.trimmable, false);
    });

    it('without an upload provider says so (and the form offers the settings); nothing is sent', async () => {
      await setSetting('upload.provider', 'none');
      await waitFor('the provider in the state', () => (states().at(-1)?.uploadProvider === 'none' ? true : undefined));
      await controller.useFile(file('ok.wav'));
      controller.handleMessage({ type: 'submit', form: form({ voiceName: 'No provider' }) });
      const invalid = await waitFor('the invalid reply', () =>
        posted.find((m): m is InvalidMessage => m.type === 'invalid'),
      );
      assert.strictEqual(invalid.errors.file, noProviderMessage());
      assert.strictEqual(controller.handleMessage({ type: 'openUploadSettings' }), true);
      assert.strictEqual(sandbox.state.requests.length, 0);
    });

    it('submit uploads to S3 (progress in %), the sandbox downloads the presigned URL, and the result card follows', async () => {
      await controller.useFile(file('ok.wav'));
      assert.strictEqual(
        controller.handleMessage({
          type: 'submit',
          form: form({ voiceName: 'Local narrator', externalTaskId: 'local-1' }),
        }),
        true,
      );
      const done = await waitFor(
        'the end',
        () => {
          const t = lastTask();
          return t && (t.phase === 'succeeded' || t.phase === 'failed') ? t : undefined;
        },
        30_000,
      );
      assert.strictEqual(done.phase, 'succeeded', JSON.stringify(done));
      const phases = states().map((s) =>
        s.task.phase === 'running'
          ? `${s.task.status}${s.task.uploadPercent !== undefined ? `:${s.task.uploadPercent}` : ''}`
          : s.task.phase,
      );
      assert.ok(
        phases.some((p) => p.startsWith('uploading')),
        phases.join(' '),
      );
      assert.ok(phases.includes('uploading:100'), phases.join(' '));
      const task = [...sandbox.state.tasks.values()][0];
      assert.strictEqual(task.voiceName, 'Local narrator');
      assert.strictEqual(task.externalTaskId, 'local-1');
      assert.ok(new URL(task.voiceUrl ?? '').searchParams.get('X-Amz-Signature'), 'a presigned URL');
      assert.strictEqual(s3.requests.find((r) => r.method === 'PUT')?.status, 200);
      // The history keeps the file as the source, not the upload's URL (which means nothing once it expires).
      const entry = deps.service.history.all().find((e) => e.voiceName === 'Local narrator');
      assert.deepStrictEqual(entry?.source, { kind: 'file', fileName: 'ok.wav', uri: file('ok.wav').toString() });
    });

    it('Edit and Retry of a failed local-file task chooses the same file again; a vanished file is named', async () => {
      const failedTask = (taskId: string) => ({
        taskId,
        status: 'failed' as const,
        statusMessage: 'too noisy',
        voices: [],
      });
      const recorded = await deps.service.history.record(
        failedTask('7000001'),
        { voiceName: 'Noisy take' },
        sandbox.url,
        {
          kind: 'file',
          fileName: 'ok.wav',
          uri: file('ok.wav').toString(),
        },
      );
      assert.strictEqual(await controller.editAndRetry(recorded), true);
      const prefill = await waitFor('the prefill', () => posted.find((m) => m.type === 'prefill'));
      assert.deepStrictEqual(prefill, { type: 'prefill', form: form({ voiceName: 'Noisy take' }) });
      const chosen = await waitFor('the file checked again', () =>
        controller.file && !controller.file.checking ? controller.file : undefined,
      );
      assert.strictEqual(chosen.fileName, 'ok.wav');
      assert.strictEqual(chosen.usable, true);
      const shown = lastTask();
      assert.match(shown?.phase === 'failed' ? shown.message : '', /too noisy/);

      posted.length = 0;
      const gone = await deps.service.history.record(failedTask('7000002'), { voiceName: 'Lost take' }, sandbox.url, {
        kind: 'file',
        fileName: 'gone.wav',
        uri: file('gone.wav').toString(),
      });
      assert.strictEqual(await controller.editAndRetry(gone), true);
      const invalid = await waitFor('the missing file', () =>
        posted.find((m): m is InvalidMessage => m.type === 'invalid'),
      );
      assert.match(invalid.errors.file ?? '', /gone\.wav is no longer where it was/);
      assert.strictEqual(controller.file, undefined);
      assert.strictEqual(sandbox.state.requests.length, 0, 'nothing is sent by filling the form');
    });

    it('cancel during the task stops following it', async () => {
      sandbox.reset();
      await controller.useFile(file('ok.wav'));
      controller.handleMessage({ type: 'submit', form: form({ voiceName: 'Cancel me' }) });
      await waitFor('running', () => (lastTask()?.phase === 'running' ? true : undefined));
      controller.handleMessage({ type: 'cancel' });
      const done = await waitFor(
        'the end',
        () => {
          const t = lastTask();
          return t?.phase === 'failed' || t?.phase === 'succeeded' ? t : undefined;
        },
        30_000,
      );
      assert.strictEqual(done.phase, 'failed');
      assert.strictEqual(done.phase === 'failed' && done.reason, 'cancelled');
    });

    it('names the voice after the file, and chooses the file again after a reload (a vanished or bad one is forgotten)', async () => {
      const base = makeDeps();
      const workspaceState = new MemoryMemento();
      const deps = { ...base, context: { ...base.context, workspaceState } };
      const key = chosenFileKey('remember');
      const open = async (): Promise<{ c: FormController; p: vscode.WebviewPanel; seen: HostToWebview[] }> => {
        const p = vscode.window.createWebviewPanel(
          'klingVoice.localFileTest',
          'Remembering form',
          vscode.ViewColumn.Active,
        );
        const c = attachPanelForm(p, deps, 'remember');
        const seen: HostToWebview[] = [];
        c.onDidPost((m) => seen.push(m));
        await waitFor('the page to say ready', () => c.isReady, PAGE_READY_MS);
        return { c, p, seen };
      };
      const first = await open();
      const view = await first.c.useFile(file('ok.wav'));
      assert.strictEqual(view.suggestedName, 'ok');
      assert.strictEqual(workspaceState.get(key), file('ok.wav').toString());
      first.p.dispose();

      // A reload: a new form whose restore finds the file again and checks it again (nothing is taken on trust).
      const second = await open();
      second.c.restore(undefined);
      const again = await waitFor(
        'the file checked again',
        () => second.seen.find((m): m is StateMessage => m.type === 'state' && m.file?.checking === false)?.file,
      );
      assert.strictEqual(again.fileName, 'ok.wav');
      assert.strictEqual(again.usable, true);
      second.p.dispose();

      const gone = file('gone.wav');
      await vscode.workspace.fs.writeFile(gone, wavBytes([speechLike(8)]));
      for (const stored of [42, 'not a uri at all', file('notes.txt').toString(), 'x'.repeat(5000), gone.toString()]) {
        if (stored === gone.toString()) {
          await vscode.workspace.fs.delete(gone);
        }
        await workspaceState.update(key, stored);
        const third = await open();
        third.c.restore(undefined);
        if (stored === gone.toString()) {
          await waitFor('the vanished file to be forgotten', () =>
            workspaceState.get(key) === undefined ? true : undefined,
          );
        }
        assert.strictEqual(third.c.file, undefined, `no file restored from ${JSON.stringify(stored).slice(0, 60)}`);
        third.p.dispose();
      }
      assert.strictEqual(workspaceState.get(key), undefined, 'a vanished file is forgotten');
      assert.strictEqual(sandbox.state.requests.length, 0);
    });
  });

  describe('Trimmer', () => {
    let panel: vscode.WebviewPanel;
    let controller: TrimmerController;
    let posted: HostToTrimmer[];
    let lines: string[];

    beforeEach(async () => {
      const deps = makeDeps();
      lines = deps.lines;
      panel = vscode.window.createWebviewPanel(
        'klingVoice.trimmerTest',
        'Trimmer under test',
        vscode.ViewColumn.Active,
      );
      controller = attachTrimmer(panel, deps, file('long.wav'));
      posted = [];
      controller.onDidPost((m) => posted.push(m));
      await waitFor('the page to say ready', () => controller.isReady, PAGE_READY_MS);
    });
    afterEach(() => panel.dispose());

    const load = () =>
      waitFor('the load message', () => posted.find((m): m is TrimmerLoadMessage => m.type === 'load'));
    const lastStatus = () => posted.filter((m): m is TrimmerStatusMessage => m.type === 'status').at(-1);

    it('sends a downsampled envelope (not the audio), the report, and the best window pre-selected', async () => {
      const m = await load();
      assert.strictEqual(m.fileName, 'long.wav');
      assert.ok(Math.abs(m.durationSec - 40) < 0.01);
      assert.strictEqual(m.envelope.length, 2000);
      // The suggested window (src/audio/window.ts) is inside the file and within 5–30 s.
      assert.ok(m.suggested.startSec >= 0 && m.suggested.endSec <= m.durationSec, JSON.stringify(m.suggested));
      assert.ok(m.suggested.endSec - m.suggested.startSec >= 5 && m.suggested.endSec - m.suggested.startSec <= 30);
      assert.ok(m.problems.some((p) => /40\.0 s/.test(p)));
      assert.ok(Number.isFinite(m.quality.snrDb));
    });

    it('a 12 min file is not decoded: the tab says how long it is and what the limit is', async () => {
      const deps = makeDeps();
      const other = vscode.window.createWebviewPanel(
        'klingVoice.trimmerTest',
        'Trimmer under test (long)',
        vscode.ViewColumn.Active,
      );
      try {
        const long = attachTrimmer(other, deps, file('interview.wav'));
        const loaded = await long.loaded();
        assert.strictEqual(typeof loaded, 'string');
        assert.match(
          loaded as string,
          /^interview\.wav is 720\.0 s \(12 min\) long; .*files over 10 min are not decoded here, so no window can be suggested or trimmed from it\./,
        );
      } finally {
        other.dispose();
      }
    });

    it('drops malformed messages and refuses an out-of-rule selection from the page, sending nothing', async () => {
      await load();
      const bad: unknown[] = [
        { type: 'create' },
        { type: 'preview', selection: { startSec: 3, endSec: 1 }, normalize: false },
        { type: 'create', selection: { startSec: 0, endSec: 10 }, normalize: false, voiceName: 'x', extra: 1 },
      ];
      for (const m of bad) {
        assert.strictEqual(controller.handleMessage(m), false);
      }
      assert.strictEqual(lines.filter((l) => l.includes('dropped a malformed message')).length, bad.length);
      assert.strictEqual(
        controller.handleMessage({
          type: 'create',
          selection: { startSec: 0, endSec: 40 },
          normalize: false,
          voiceName: 'Too long',
        }),
        true,
      );
      const invalid = await waitFor('the refusal', () => posted.find((m) => m.type === 'invalid'));
      assert.match(invalid.type === 'invalid' ? invalid.message : '', /40\.0 s/);
      assert.strictEqual(sandbox.state.requests.length, 0);
      assert.strictEqual(s3.requests.length, 0);
    });

    it('previews the selection as mono 16-bit WAV bytes', async () => {
      await load();
      controller.handleMessage({ type: 'preview', selection: { startSec: 6, endSec: 16 }, normalize: true });
      const p = await waitFor('the preview', () =>
        posted.find((m): m is TrimmerPreviewMessage => m.type === 'preview'),
      );
      const wav = Buffer.from(p.wav);
      assert.strictEqual(wav.subarray(0, 4).toString(), 'RIFF');
      assert.strictEqual(wav.readUInt16LE(22), 1, 'mono');
      assert.strictEqual(wav.readUInt16LE(34), 16, '16-bit');
      assert.strictEqual(wav.readUInt32LE(40), 10 * 16000 * 2, '10 s of data');
    });

    it('creates a voice from the selection: export, signed upload, the sandbox fetches it (a double click creates once)', async () => {
      await load();
      const create = {
        type: 'create',
        selection: { startSec: 6, endSec: 26 },
        normalize: true,
        voiceName: 'Trimmed voice',
      } as const;
      // Two clicks in the same tick.
      assert.strictEqual(controller.handleMessage(create), true);
      assert.strictEqual(controller.handleMessage(create), true);
      const done = await waitFor(
        'the end',
        () => {
          const t = lastStatus()?.task;
          return t && (t.phase === 'succeeded' || t.phase === 'failed') ? t : undefined;
        },
        30_000,
      );
      assert.strictEqual(done.phase, 'succeeded', JSON.stringify(done));
      assert.strictEqual(sandbox.state.tasks.size, 1, 'one task');
      assert.strictEqual(s3.requests.filter((r) => r.method === 'PUT').length, 1, 'one upload');
      const task = [...sandbox.state.tasks.values()][0];
      assert.strictEqual(task.voiceName, 'Trimmed voice');
      assert.match(new URL(task.voiceUrl ?? '').pathname, /\/long\.wav$/);
      const put = s3.requests.find((r) => r.method === 'PUT');
      assert.strictEqual(put?.status, 200);
      assert.strictEqual(
        Number(put?.headers['content-length']),
        44 + 20 * 16000 * 2,
        'a 20 s mono 16-bit WAV was uploaded',
      );
    });

    const end = () =>
      waitFor(
        'the end',
        () => {
          const t = lastStatus()?.task;
          return t && (t.phase === 'succeeded' || t.phase === 'failed') ? t : undefined;
        },
        30_000,
      );

    it("the result has the trial URL for the card, Copy Voice ID copies the host's id; the upload percentage starts only with the upload", async () => {
      await load();
      controller.handleMessage({
        type: 'create',
        selection: { startSec: 6, endSec: 16 },
        normalize: false,
        voiceName: 'Card voice',
      });
      const done = await end();
      assert.ok(done.phase === 'succeeded', JSON.stringify(done));
      assert.strictEqual(done.trialUrl, `${sandbox.url}/__sandbox/trial/${done.voiceId}.wav`);
      assert.strictEqual(done.voiceName, 'Card voice');
      // Consent is known here (a consented destination): no waiting for an answer, and no "0 %" before the upload.
      const running = posted
        .filter((m): m is TrimmerStatusMessage => m.type === 'status')
        .map((m) => m.task)
        .filter((t): t is Extract<TrimmerTaskView, { phase: 'running' }> => t.phase === 'running');
      assert.ok(
        running.every((t) => !t.awaitingConsent),
        JSON.stringify(running),
      );
      assert.strictEqual(running[0].status, 'uploading');
      assert.strictEqual(running[0].uploadPercent, undefined, 'the first status comes before the upload starts');
      assert.ok(running.some((t) => t.status === 'uploading' && t.uploadPercent === 100));
      await vscode.env.clipboard.writeText('');
      assert.strictEqual(controller.handleMessage({ type: 'copyVoiceId' }), true);
      await waitFor('the id on the clipboard', async () =>
        (await vscode.env.clipboard.readText()) === done.voiceId ? true : undefined,
      );
      assert.strictEqual(
        controller.handleMessage({ type: 'insertSnippet', voiceId: '1' }),
        false,
        'the page cannot choose the voice id',
      );
    });

    it("a failed task shows Kling's reason and the same selection can be sent again", async () => {
      await load();
      s3.refuseDownloads = true; // the sandbox cannot download the sample: Kling fails the task
      const request = {
        type: 'create',
        selection: { startSec: 6, endSec: 16 },
        normalize: false,
        voiceName: 'Retry voice',
      };
      controller.handleMessage(request);
      const failed = await end();
      assert.ok(failed.phase === 'failed', JSON.stringify(failed));
      assert.strictEqual(failed.reason, 'task');
      assert.match(failed.message, /^Reason: voice_url could not be downloaded \(HTTP 403\)/);
      assert.ok(failed.taskId && sandbox.state.tasks.has(failed.taskId));
      s3.refuseDownloads = false;
      const count = posted.length;
      controller.handleMessage(request);
      const done = await waitFor(
        'the retry',
        () => {
          const t = posted
            .slice(count)
            .filter((m): m is TrimmerStatusMessage => m.type === 'status')
            .at(-1)?.task;
          return t && (t.phase === 'succeeded' || t.phase === 'failed') ? t : undefined;
        },
        30_000,
      );
      assert.strictEqual(done.phase, 'succeeded', JSON.stringify(done));
      assert.strictEqual(sandbox.state.tasks.size, 2);
    });

    it('keeps the voice name typed in the panel when the page is hidden and shown again', async () => {
      const first = await load();
      assert.strictEqual(first.voiceName, 'long');
      assert.strictEqual(first.uri, file('long.wav').toString());
      assert.strictEqual(controller.handleMessage({ type: 'voiceName', voiceName: 'Typed name' }), true);
      await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
      await waitFor('the panel to be hidden', () => (!panel.visible ? true : undefined));
      const count = posted.length;
      panel.reveal(vscode.ViewColumn.Active);
      const again = await waitFor(
        'the load message again',
        () => posted.slice(count).find((m): m is TrimmerLoadMessage => m.type === 'load'),
        20_000,
      );
      assert.strictEqual(again.voiceName, 'Typed name');
    });
  });

  describe('Trimmer tabs after a window reload (the serializer)', () => {
    let panels: TrimmerPanels;
    let lines: string[];
    const revived: vscode.WebviewPanel[] = [];
    const disposed = new Set<vscode.WebviewPanel>();

    beforeEach(() => {
      const deps = makeDeps();
      lines = deps.lines;
      panels = new TrimmerPanels(deps);
    });
    afterEach(() => {
      panels.dispose();
      for (const p of revived.splice(0)) {
        p.dispose();
      }
      disposed.clear();
    });

    /** What VS Code does after a reload: a new panel, and the state its page saved. */
    async function revive(
      state: unknown,
    ): Promise<{ panel: vscode.WebviewPanel; controller: TrimmerController | undefined }> {
      const panel = vscode.window.createWebviewPanel('klingVoice.trimmerRestoreTest', 'Trim (restored)', {
        viewColumn: vscode.ViewColumn.Active,
        preserveFocus: false,
      });
      revived.push(panel);
      panel.onDidDispose(() => disposed.add(panel));
      await panels.deserializeWebviewPanel(panel, state);
      return { panel, controller: panels.controllerOf(panel) };
    }

    async function firstMessage<T extends HostToTrimmer>(controller: TrimmerController, type: T['type']): Promise<T> {
      const seen: HostToTrimmer[] = [];
      const sub = controller.onDidPost((m) => seen.push(m));
      try {
        return await waitFor(`the ${type} message`, () => seen.find((m): m is T => m.type === type), 20_000);
      } finally {
        sub.dispose();
      }
    }

    it('reads and checks the file again, taking only its URI from the saved state', async () => {
      const uri = file('restore.wav');
      await vscode.workspace.fs.writeFile(uri, wavBytes([speechLike(8)]));
      const before = await revive({ uri: uri.toString(), selection: { startSec: 1, endSec: 7 }, normalize: true });
      assert.ok(before.controller);
      const first = await firstMessage<TrimmerLoadMessage>(before.controller, 'load');
      assert.ok(Math.abs(first.durationSec - 8) < 0.01);
      before.panel.dispose();

      // The file changed while the window was closed; the saved state also carries planted fields.
      await vscode.workspace.fs.writeFile(uri, wavBytes([concat(speechLike(12), silence(0.5))]));
      const { panel, controller } = await revive({
        uri: uri.toString(),
        selection: { startSec: 2, endSec: 9 },
        normalize: true,
        fileName: 'evil.wav',
        durationSec: 99,
        voiceName: 'Planted',
        envelope: [1],
      });
      assert.ok(controller);
      assert.strictEqual(controller.uri?.toString(), uri.toString());
      assert.strictEqual(panel.title, 'Trim restore.wav');
      assert.strictEqual(panels.get(uri), controller);
      const m = await firstMessage<TrimmerLoadMessage>(controller, 'load');
      assert.strictEqual(m.uri, uri.toString());
      assert.strictEqual(m.fileName, 'restore.wav');
      assert.ok(Math.abs(m.durationSec - 12.5) < 0.01, `re-read from disk: ${m.durationSec}`);
      assert.strictEqual(m.voiceName, 'restore');
      assert.strictEqual(m.envelope.length, 2000);
      // A second tab of the same file is closed, as opening it twice reveals the first.
      const twin = await revive({ uri: uri.toString(), normalize: false });
      assert.strictEqual(twin.controller, undefined);
      await waitFor('the twin to be closed', () => (disposed.has(twin.panel) ? true : undefined));
      assert.strictEqual(panels.get(uri), controller);
      assert.ok(!disposed.has(panel));
    });

    it('a file that no longer exists says so in the tab, and the tab keeps pointing at it', async () => {
      const gone = file('gone.wav');
      const { controller } = await revive({
        uri: gone.toString(),
        selection: { startSec: 1, endSec: 7 },
        normalize: false,
      });
      assert.ok(controller);
      const m = await firstMessage<TrimmerLoadErrorMessage>(controller, 'loadError');
      assert.match(
        m.message,
        /^gone\.wav is no longer at .*gone\.wav: it was moved, renamed or deleted\. Open the sample again with 'Kling Voice: Open Sample in Trimmer…'\.$/,
      );
      assert.strictEqual(m.uri, gone.toString());
      assert.ok(lines.some((l) => l.startsWith('warn trimmer:') && l.includes('no longer exists')));
    });

    it('a saved state that names no acceptable file is refused: nothing is read, the tab says why', async () => {
      const ok = file('ok.wav').toString();
      const bad: unknown[] = [
        undefined,
        null,
        ok,
        {},
        { uri: 42 },
        { selection: { startSec: 1, endSec: 7 }, normalize: true },
        { uri: 'https://example.com/sample.wav' },
        { uri: 'untitled:Untitled-1.wav' },
        { uri: 'command:workbench.action.files.save.wav' },
        { uri: file('notes.txt').toString() },
        { uri: `${ok}?query=1` },
        { uri: `${ok}#frag` },
        { uri: `file:///${'a/'.repeat(3000)}x.wav` },
      ];
      for (const state of bad) {
        const { controller } = await revive(state);
        assert.ok(controller, JSON.stringify(state));
        assert.strictEqual(controller.uri, undefined, JSON.stringify(state));
        assert.strictEqual(await controller.loaded(), notRestored(), JSON.stringify(state));
      }
      // The page shows it.
      const { controller } = await revive({ uri: 'https://example.com/sample.wav' });
      assert.ok(controller);
      const m = await firstMessage<TrimmerLoadErrorMessage>(controller, 'loadError');
      assert.strictEqual(m.message, notRestored());
      assert.strictEqual(m.uri, undefined);
      // Window numbers that cannot be trusted do not stop the file from being restored (the page drops them).
      const odd = await revive({ uri: ok, selection: { startSec: 'x', endSec: -4 }, normalize: 'yes' });
      assert.ok(odd.controller?.uri);
      const loaded = await firstMessage<TrimmerLoadMessage>(odd.controller, 'load');
      assert.strictEqual(loaded.fileName, 'ok.wav');
    });
  });
});
