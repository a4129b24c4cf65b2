import * as vscode from 'vscode';
import { exportWindowWav, peakEnvelope, suggestWindow, uniqueVoiceNames, type PcmAudio } from '../audio';
import { fileView, inspectFile, preparedWindow, qualitySummary, uploadAndCreate, uploadProviderName, type FromFileDeps, type Inspected } from '../commands/fromFile';
import { COMMANDS } from '../commands/ui';
import { isKlingError, validateVoiceName, type VoiceTask } from '../kling';
import type { KeyStore } from '../auth/keyStore';
import type { VoiceService } from '../service/voiceService';
import type { UploadProviderName } from '../shared/protocol';
import {
  clampSelection,
  isTrimmerToHost,
  selectionProblem,
  type HostToTrimmer,
  type Selection,
  type TrimmerTaskView,
  type TrimmerToHost,
} from '../shared/trimmer';
import { INSERT_SNIPPET_COMMAND } from '../webview/formController';
import { isPlayableTrialUrl, webviewOptions } from '../webview/html';
import { renderTrimmerHtml } from './html';

export interface TrimmerDeps extends FromFileDeps {
  extensionUri: vscode.Uri;
  keys: KeyStore;
  service: VoiceService;
}

type Loaded = Inspected & { audio: PcmAudio };

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isFileNotFound(e: unknown): boolean {
  return (e instanceof vscode.FileSystemError || e instanceof Error) && (e as { code?: unknown }).code === 'FileNotFound';
}

/** How to open a sample again, for messages about a file or a tab that cannot be shown. */
export const OPEN_AGAIN = "Open the sample again with 'Kling Voice: Open Sample in Trimmer…'.";

/**
 * Drives one trimmer page for one file: sends the waveform envelope and the quality report, exports the
 * selection for preview, and uploads + creates the voice from it (the pipeline of the explorer command).
 * Everything from the page is checked with `isTrimmerToHost` and the selection is clamped and checked again.
 */
export class TrimmerController implements vscode.Disposable {
  private _ready = false;
  /** True from a create request until it ended (set synchronously, before any await). */
  private _creating = false;
  private _queue: HostToTrimmer[] = [];
  private _loaded: Promise<Loaded | string>;
  private _task: TrimmerTaskView = { phase: 'idle' };
  /** The voice name as typed in this panel (kept here, not in the page's saved state). */
  private _voiceName: string | undefined;
  private _abort: AbortController | undefined;
  private _hasApiKey = false;
  private _provider: UploadProviderName = uploadProviderName();
  private _disposed = false;
  private readonly _disposables: vscode.Disposable[] = [];
  private readonly _onDidPost = new vscode.EventEmitter<HostToTrimmer>();
  /** Fires for every message posted to the page (for tests). */
  readonly onDidPost = this._onDidPost.event;

  /**
   * `uri` is the file to trim; undefined when there is none to show (a tab whose saved state could not be
   * trusted), and then `unavailable` says why, in the page.
   */
  constructor(
    private readonly _webview: vscode.Webview,
    private readonly _deps: TrimmerDeps,
    readonly uri: vscode.Uri | undefined,
    private readonly _unavailable?: string,
  ) {
    _webview.options = webviewOptions(_deps.extensionUri);
    _webview.html = renderTrimmerHtml(_webview, _deps.extensionUri);
    this._loaded = this._load();
    this._disposables.push(
      this._onDidPost,
      _webview.onDidReceiveMessage((m: unknown) => this.handleMessage(m)),
      _deps.keys.onDidChange(() => void this._refreshKey()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('klingVoice.upload')) {
          this._provider = uploadProviderName();
          this._postStatus();
        }
      }),
    );
    void this._refreshKey();
  }

  get task(): TrimmerTaskView {
    return this._task;
  }

  get isReady(): boolean {
    return this._ready;
  }

  /** The file as loaded for the page, or why it could not be (for tests). */
  loaded(): Promise<Loaded | string> {
    return this._loaded;
  }

  markHidden(): void {
    this._ready = false;
  }

  /** Checks and handles one message; false (after logging) for anything malformed. */
  handleMessage(raw: unknown): boolean {
    if (this._disposed) {
      return false;
    }
    if (!isTrimmerToHost(raw)) {
      const type = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string' ? (raw as { type: string }).type.slice(0, 40) : typeof raw;
      this._deps.log.warn(`trimmer: dropped a malformed message (${JSON.stringify(type)})`);
      return false;
    }
    void this._handle(raw).catch((e: unknown) => this._deps.log.error(`trimmer: ${raw.type} failed: ${errorText(e)}`));
    return true;
  }

  private async _load(): Promise<Loaded | string> {
    const uri = this.uri;
    if (!uri) {
      return this._unavailable ?? `Nothing to trim. ${OPEN_AGAIN}`;
    }
    const name = uri.path.split('/').pop() ?? uri.path;
    try {
      await vscode.workspace.fs.stat(uri);
    } catch (e) {
      if (isFileNotFound(e)) {
        this._deps.log.warn(`trimmer: ${uri.toString(true)} no longer exists`);
        return `${name} is no longer at ${vscode.workspace.asRelativePath(uri)}: it was moved, renamed or deleted. ${OPEN_AGAIN}`;
      }
      return `${name} cannot be read: ${errorText(e)}`;
    }
    const i = await inspectFile(uri).catch((e: unknown) => `${name} cannot be checked: ${errorText(e)}`);
    if (typeof i === 'string') {
      return i;
    }
    if (!i.audio) {
      return `${i.displayName} cannot be decoded here (${[i.probe.kind?.toUpperCase(), i.probe.codec].filter(Boolean).join(' ') || 'unknown format'}): the trimmer reads WAV and MP3. ${i.rules.errors.length ? i.rules.errors.join(' ') : 'Within the limits, it can be uploaded as it is with "Create Kling Voice from File…".'}`;
    }
    return { ...i, audio: i.audio };
  }

  private async _handle(m: TrimmerToHost): Promise<void> {
    switch (m.type) {
      case 'ready': {
        this._ready = true;
        const loaded = await this._loaded;
        this._post(typeof loaded === 'string' ? { type: 'loadError', uri: this.uri?.toString(), message: loaded } : this._loadMessage(loaded), true);
        this._postStatus();
        for (const q of this._queue.splice(0)) {
          this._post(q);
        }
        return;
      }
      case 'preview': {
        const loaded = await this._loaded;
        if (typeof loaded === 'string') {
          return;
        }
        const selection = this._clamp(m.selection, loaded);
        const wav = exportWindowWav(loaded.audio, selection, m.normalize ? { normalizePeakDbfs: -1 } : {});
        this._post({ type: 'preview', selection, wav });
        return;
      }
      case 'create':
        // Two clicks in one tick must not upload and create twice: the flag is set before the first await.
        if (this._creating) {
          this._deps.log.warn('trimmer: a create is already under way; request ignored');
          return;
        }
        this._creating = true;
        try {
          return await this._create(m.selection, m.normalize, m.voiceName);
        } finally {
          this._creating = false;
        }
      case 'cancel':
        if (this._task.phase === 'running' && this._abort) {
          this._task = { ...this._task, cancelling: true };
          this._postStatus();
          this._abort.abort();
        }
        return;
      case 'openUploadSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'klingVoice.upload');
        return;
      case 'copyVoiceId':
        if (this._task.phase === 'succeeded') {
          await vscode.env.clipboard.writeText(this._task.voiceId);
          vscode.window.setStatusBarMessage(`Copied voice id ${this._task.voiceId}`, 3000);
        }
        return;
      case 'insertSnippet':
        if (this._task.phase === 'succeeded') {
          try {
            await vscode.commands.executeCommand(INSERT_SNIPPET_COMMAND, this._task.voiceId);
          } catch (e) {
            this._deps.log.error(`trimmer: insert snippet failed: ${errorText(e)}`);
            void vscode.window.showErrorMessage(`Could not insert a snippet: ${errorText(e)}`);
          }
        }
        return;
      case 'showLog':
        await vscode.commands.executeCommand(COMMANDS.showLog);
        return;
      case 'voiceName':
        this._voiceName = m.voiceName;
        return;
      default: {
        const never: never = m;
        throw new Error(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  private _clamp(sel: Selection, loaded: Loaded): Selection {
    return clampSelection(sel, loaded.probe.durationSec ?? loaded.audio.channels[0].length / loaded.audio.sampleRate);
  }

  private async _create(rawSelection: Selection, normalize: boolean, rawName: string): Promise<void> {
    if (this._task.phase === 'running') {
      return;
    }
    const loaded = await this._loaded;
    if (typeof loaded === 'string') {
      return;
    }
    // Never trust the page: clamp to the file and check Kling's rules again.
    const selection = this._clamp(rawSelection, loaded);
    this._voiceName = rawName;
    const voiceName = rawName.trim();
    const problem = selectionProblem(selection) ?? validateVoiceName(voiceName) ?? (this._provider === 'none' ? 'No upload provider is set: open the upload settings.' : undefined);
    if (problem) {
      this._deps.log.warn(`trimmer: refused a create request: ${problem}`);
      this._post({ type: 'invalid', message: problem });
      return;
    }
    const abort = new AbortController();
    this._abort = abort;
    const startedAt = Date.now();
    const running = (status: 'uploading' | 'submitting' | 'submitted' | 'processing', extra: { taskId?: string; uploadPercent?: number; awaitingConsent?: boolean } = {}) => {
      if (this._task.phase === 'running' || status === 'uploading') {
        this._task = { phase: 'running', voiceName, status, elapsedMs: Date.now() - startedAt, cancelling: this._task.phase === 'running' && this._task.cancelling, ...extra };
        this._postStatus();
      }
    };
    // No percentage until the upload really starts: the selection is exported first, and the first upload to a
    // destination waits for the user's answer to a modal question.
    running('uploading');
    const onTask = (t: VoiceTask) => {
      if (t.status === 'submitted' || t.status === 'processing') {
        running(t.status, { taskId: t.taskId });
      }
    };
    try {
      const file = await preparedWindow(loaded, selection, normalize);
      this._deps.log.info(`trimmer: ${loaded.displayName}: sending ${selection.startSec.toFixed(2)}–${selection.endSec.toFixed(2)} s${normalize ? ', peak-normalised' : ''}`);
      const task = await uploadAndCreate(this._deps, file, { voiceName }, {
        signal: abort.signal,
        onConsentPrompt: () => running('uploading', { awaitingConsent: true }),
        onUploadStart: () => running('uploading', { uploadPercent: 0 }),
        onUploadProgress: (pct) => {
          if (this._task.phase === 'running' && this._task.status === 'uploading' && this._task.uploadPercent !== pct) {
            running('uploading', { uploadPercent: pct });
          }
        },
        onUploaded: () => running('submitting'),
        onSubmitted: onTask,
        onUpdate: onTask,
      });
      const voice = task.voices[0];
      if (task.status === 'succeed' && voice) {
        this._task = {
          phase: 'succeeded',
          voiceName: voice.voiceName || voiceName,
          voiceId: voice.voiceId,
          taskId: task.taskId,
          trialUrl: isPlayableTrialUrl(voice.trialUrl) ? voice.trialUrl : undefined,
        };
      } else {
        this._task = {
          phase: 'failed',
          reason: task.status === 'failed' ? 'task' : 'error',
          voiceName,
          taskId: task.taskId,
          message:
            task.status === 'failed'
              ? task.statusMessage
                ? `Kling could not create the voice: ${task.statusMessage}`
                : 'Kling could not create the voice and gave no reason.'
              : `Task ${task.taskId} ended as "${task.status}" without a voice. Check it later with 'Kling Voice: Check Task…'.`,
        };
      }
    } catch (e) {
      const cancelled = isKlingError(e) && e.kind === 'cancelled';
      if (!cancelled) {
        this._deps.log.error(`trimmer: could not create voice "${voiceName}": ${errorText(e)}`);
      }
      this._task = { phase: 'failed', reason: cancelled ? 'cancelled' : 'error', voiceName, message: errorText(e), taskId: isKlingError(e) ? e.taskId : undefined };
    } finally {
      if (this._abort === abort) {
        this._abort = undefined;
      }
    }
    this._postStatus();
  }

  private _loadMessage(l: Loaded): HostToTrimmer {
    const view = fileView(l, l.displayName);
    const duration = l.probe.durationSec ?? l.audio.channels[0].length / l.audio.sampleRate;
    const suggestion = suggestWindow(l.audio);
    const report = l.report;
    return {
      type: 'load',
      uri: l.uri.toString(),
      fileName: l.displayName,
      durationSec: duration,
      format: view.format ?? '',
      sampleRate: l.audio.sampleRate,
      channels: l.audio.channels.length,
      sizeBytes: l.probe.sizeBytes,
      envelope: peakEnvelope(l.audio),
      suggested: clampSelection(suggestion ?? { startSec: 0, endSec: duration }, duration),
      quality: report
        ? qualitySummary(report)
        : { peakDbfs: -120, rmsDbfs: -120, clippingShare: 0, silenceShare: 1, noiseFloorDbfs: -120, snrDb: 0 },
      warnings: view.warnings,
      problems: view.problems,
      voiceName: this._voiceName ?? uniqueVoiceNames([l.displayName], this._deps.service.history.all().map((e) => e.voiceName))[0],
    };
  }

  private async _refreshKey(): Promise<void> {
    const has = !!(await this._deps.keys.get());
    if (has !== this._hasApiKey) {
      this._hasApiKey = has;
      this._postStatus();
    }
  }

  private _postStatus(): void {
    this._post({ type: 'status', hasApiKey: this._hasApiKey, uploadProvider: this._provider, task: this._task });
  }

  private _post(message: HostToTrimmer, force = false): void {
    if (this._disposed) {
      return;
    }
    if (!this._ready && !force) {
      if (message.type !== 'status') {
        this._queue.push(message);
      }
      return;
    }
    void Promise.resolve(this._webview.postMessage(message)).then(
      (delivered) => {
        if (delivered) {
          this._onDidPost.fire(message);
        }
      },
      () => undefined,
    );
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._abort?.abort();
    this._disposed = true;
    this._ready = false;
    for (const d of this._disposables.splice(0)) {
      d.dispose();
    }
  }
}
