import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { tooLongToDecode, uniqueVoiceNames } from '../audio';
import { AudioJobError } from '../audioWorker/client';
import type { ExportedWindow } from '../audioWorker/protocol';
import {
  exportKept,
  fileView,
  inspectFile,
  preparedFromExport,
  qualitySummary,
  releaseKept,
  type DecodedAudio,
  type Inspected,
} from '../fromFile/inspect';
import { uploadAndCreate, type UploadAndCreateHooks } from '../fromFile/pipeline';
import type { FromFileDeps } from '../fromFile/types';
import { isKlingError, validateVoiceName, type VoiceTask } from '../kling';
import type { KeyStore } from '../service/keyStore';
import type { VoiceService } from '../service/voiceService';
import {
  isTrimmerToHost,
  type HostToTrimmer,
  type TrimmerTaskView,
  type TrimmerToHost,
} from '../shared/protocol/trimmer';
import { clampSelection, selectionProblem, type Selection } from '../shared/selection';
import { bindToHost, endedTaskView, errorText, WebviewChannel } from '../webviewHost/channel';
import { renderTrimmerHtml } from './html';

export interface TrimmerDeps extends FromFileDeps {
  extensionUri: vscode.Uri;
  keys: KeyStore;
  service: VoiceService;
}

/**
 * What a trimmer tab keeps of its file: the facts, the waveform and the file's id in the audio worker, which decodes
 * the window of each preview and export again from the file, at its own rate.
 */
type Loaded = Inspected & { audio: DecodedAudio };

function isFileNotFound(e: unknown): boolean {
  return (
    (e instanceof vscode.FileSystemError || e instanceof Error) && (e as { code?: unknown }).code === 'FileNotFound'
  );
}

/** How to open a sample again, for messages about a file or a tab that cannot be shown. */
export function openAgain(): string {
  return l10n.t("Open the sample again with 'Kling Voice: Open Sample in Trimmer…'.");
}

/** Shown in a restored tab whose saved state does not name a file the trimmer may open. */
export function notRestored(): string {
  return `${l10n.t('This trimmer tab could not be restored: its saved state does not name a .wav or .mp3 file.')} ${openAgain()}`;
}

/**
 * Drives one trimmer page for one file: sends the waveform envelope and the quality report, exports the
 * selection for preview, and uploads + creates the voice from it (the pipeline of the explorer command).
 * Everything from the page is checked with `isTrimmerToHost` and the selection is clamped and checked again.
 */
export class TrimmerController extends WebviewChannel<HostToTrimmer, TrimmerToHost> {
  /** True from a create request until it ended (set synchronously, before any await). */
  private _creating = false;
  private _loaded: Promise<Loaded | string>;
  /** Stops the file's check when the tab closes first. */
  private readonly _loadAbort = new AbortController();
  private _task: TrimmerTaskView = { phase: 'idle' };
  /** The voice name as typed in this panel (kept here, not in the page's saved state). */
  private _voiceName: string | undefined;

  /**
   * `uri` is the file to trim; undefined when there is none to show (a tab whose saved state could not be
   * trusted), and then `unavailable` says why, in the page.
   */
  constructor(
    webview: vscode.Webview,
    private readonly _deps: TrimmerDeps,
    readonly uri: vscode.Uri | undefined,
    private readonly _unavailable?: string,
  ) {
    super(webview, _deps, {
      html: renderTrimmerHtml(webview, _deps.extensionUri),
      logName: 'trimmer',
      isMessage: isTrimmerToHost,
      stateType: 'status',
    });
    this._loaded = this._load();
  }

  get task(): TrimmerTaskView {
    return this._task;
  }

  /** The file as loaded for the page, or why it could not be (for tests). */
  loaded(): Promise<Loaded | string> {
    return this._loaded;
  }

  private async _load(): Promise<Loaded | string> {
    const uri = this.uri;
    if (!uri) {
      return this._unavailable ?? `${l10n.t('Nothing to trim.')} ${openAgain()}`;
    }
    const name = uri.path.split('/').pop() ?? uri.path;
    try {
      await vscode.workspace.fs.stat(uri);
    } catch (e) {
      if (isFileNotFound(e)) {
        this._deps.log.warn(`trimmer: ${uri.toString(true)} no longer exists`);
        const where = vscode.workspace.asRelativePath(uri);
        return `${l10n.t('{0} is no longer at {1}: it was moved, renamed or deleted.', name, where)} ${openAgain()}`;
      }
      return l10n.t('{0} cannot be read: {1}', name, errorText(e));
    }
    const i = await inspectFile(uri, { keep: true, signal: this._loadAbort.signal }).catch((e: unknown) =>
      e instanceof AudioJobError && e.reason === 'cancelled'
        ? l10n.t('{0}: the check was cancelled.', name)
        : l10n.t('{0} cannot be checked: {1}', name, errorText(e)),
    );
    if (typeof i === 'string') {
      return i;
    }
    if (!i.audio) {
      if (tooLongToDecode(i.probe)) {
        return i.rules.errors.join(' '); // its length and the limit
      }
      if (i.notDecoded) {
        return `${l10n.t('{0} could not be decoded ({1}).', i.displayName, i.notDecoded)} ${i.rules.errors.join(' ')}`.trim();
      }
      const format = [i.probe.kind?.toUpperCase(), i.probe.codec].filter(Boolean).join(' ') || l10n.t('unknown format');
      const next = i.rules.errors.length
        ? i.rules.errors.join(' ')
        : l10n.t('Within the limits, it can be uploaded as it is with "Create Kling Voice from File…".');
      return `${l10n.t('{0} cannot be decoded here ({1}): the trimmer reads WAV and MP3.', i.displayName, format)} ${next}`;
    }
    return { ...i, audio: i.audio };
  }

  override dispose(): void {
    this._loadAbort.abort();
    void this._loaded.then((l) => typeof l !== 'string' && releaseKept(l.audio));
    super.dispose();
  }

  /**
   * Exports a window of the file in the worker. When the worker no longer has it (it was replaced after another
   * file's check timed out or was cancelled) or the file changed since it was read, it is read and checked again first.
   */
  private async _export(
    loaded: Loaded,
    selection: Selection,
    normalize: boolean,
    analyze: boolean,
  ): Promise<{ loaded: Loaded; exported: ExportedWindow }> {
    const exported = await exportKept(loaded, selection, normalize, analyze);
    if (exported) {
      return { loaded, exported };
    }
    this._deps.log.info(
      `trimmer: ${loaded.displayName}: reading the file again (the audio worker was restarted, or the file changed)`,
    );
    this._loaded = this._load();
    const again = await this._loaded;
    if (typeof again !== 'string') {
      this._post(this._loadMessage(again)); // a changed file: its new waveform and facts (the page keeps the selection)
    }
    const retried =
      typeof again === 'string'
        ? undefined
        : await exportKept(again, this._clamp(selection, again), normalize, analyze);
    if (typeof again === 'string' || !retried) {
      throw new Error(
        typeof again === 'string'
          ? again
          : `${l10n.t('{0} could not be read again.', loaded.displayName)} ${openAgain()}`,
      );
    }
    return { loaded: again, exported: retried };
  }

  protected override async _handle(m: TrimmerToHost): Promise<void> {
    switch (m.type) {
      case 'ready': {
        this._markReady();
        const loaded = await this._loaded;
        this._post(
          typeof loaded === 'string'
            ? { type: 'loadError', uri: this.uri?.toString(), message: loaded }
            : this._loadMessage(loaded),
          true,
        );
        this._postState();
        this._flushQueue();
        return;
      }
      case 'preview': {
        const loaded = await this._loaded;
        if (typeof loaded === 'string') {
          return;
        }
        const selection = this._clamp(m.selection, loaded);
        const { exported } = await this._export(loaded, selection, m.normalize, false);
        this._post({ type: 'preview', selection, wav: exported.wav });
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
          this._postState();
          this._abort.abort();
        }
        return;
      case 'openUploadSettings':
      case 'copyVoiceId':
      case 'insertSnippet':
      case 'showLog':
        return this._sharedAction(m.type);
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
    return clampSelection(sel, loaded.probe.durationSec ?? loaded.audio.length / loaded.audio.sampleRate);
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
    const problem =
      selectionProblem(selection) ??
      validateVoiceName(voiceName) ??
      (this._uploadProvider === 'none' ? l10n.t('No upload provider is set: open the upload settings.') : undefined);
    if (problem) {
      this._deps.log.warn(`trimmer: refused a create request: ${problem}`);
      this._post({ type: 'invalid', message: problem });
      return;
    }
    const abort = new AbortController();
    this._abort = abort;
    const hooks = this._runningHooks(voiceName, abort.signal);
    try {
      const cut = await this._export(loaded, selection, normalize, true);
      const file = preparedFromExport(cut.loaded, cut.exported, selection);
      this._deps.log.info(
        `trimmer: ${loaded.displayName}: sending ${selection.startSec.toFixed(2)}–${selection.endSec.toFixed(2)} s${normalize ? ', peak-normalised' : ''}`,
      );
      const task = await uploadAndCreate(this._deps, file, { voiceName }, hooks);
      this._task = endedTaskView(task, voiceName);
    } catch (e) {
      const cancelled = isKlingError(e) && e.kind === 'cancelled';
      if (!cancelled) {
        this._deps.log.error(`trimmer: could not create voice "${voiceName}": ${errorText(e)}`);
      }
      this._task = {
        phase: 'failed',
        reason: cancelled ? 'cancelled' : isKlingError(e) && e.kind === 'taskTimeout' ? 'running' : 'error',
        voiceName,
        message: errorText(e),
        taskId: isKlingError(e) ? e.taskId : undefined,
      };
    } finally {
      if (this._abort === abort) {
        this._abort = undefined;
      }
    }
    this._postState();
  }

  /** Upload-and-create hooks that show the task as running on this page, from the export to the task's end. */
  private _runningHooks(voiceName: string, signal: AbortSignal): UploadAndCreateHooks {
    const startedAt = Date.now();
    const running = (
      status: 'uploading' | 'submitting' | 'submitted' | 'processing',
      extra: { taskId?: string; uploadPercent?: number; awaitingConsent?: boolean } = {},
    ) => {
      if (this._task.phase === 'running' || status === 'uploading') {
        this._task = {
          phase: 'running',
          voiceName,
          status,
          elapsedMs: Date.now() - startedAt,
          cancelling: this._task.phase === 'running' && this._task.cancelling,
          ...extra,
        };
        this._postState();
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
    return {
      signal,
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
    };
  }

  private _loadMessage(l: Loaded): HostToTrimmer {
    const view = fileView(l, l.displayName);
    const duration = l.probe.durationSec ?? l.audio.length / l.audio.sampleRate;
    const suggestion = l.audio.suggested;
    const report = l.report;
    return {
      type: 'load',
      uri: l.uri.toString(),
      fileName: l.displayName,
      durationSec: duration,
      format: view.format ?? '',
      sampleRate: l.audio.sampleRate,
      channels: l.audio.sourceChannels,
      sizeBytes: l.probe.sizeBytes,
      envelope: l.audio.envelope ?? [],
      suggested: clampSelection(suggestion ?? { startSec: 0, endSec: duration }, duration),
      quality: report
        ? qualitySummary(report)
        : { peakDbfs: -120, rmsDbfs: -120, clippingShare: 0, silenceShare: 1, noiseFloorDbfs: -120, snrDb: 0 },
      warnings: view.warnings,
      problems: view.problems,
      voiceName:
        this._voiceName ??
        uniqueVoiceNames(
          [l.displayName],
          this._deps.service.history.all().map((e) => e.voiceName),
        )[0],
    };
  }

  protected override _postState(): void {
    this._post({ type: 'status', hasApiKey: this._hasApiKey, uploadProvider: this._uploadProvider, task: this._task });
  }

  protected override _resultVoiceId(): string | undefined {
    return this._task.phase === 'succeeded' ? this._task.voiceId : undefined;
  }
}

/** Puts a trimmer into a panel, tied to the panel's visibility and lifetime (see TrimmerController for `uri`). */
export function attachTrimmer(
  panel: vscode.WebviewPanel,
  deps: TrimmerDeps,
  uri: vscode.Uri | undefined,
  unavailable?: string,
): TrimmerController {
  const controller = new TrimmerController(panel.webview, deps, uri, unavailable);
  bindToHost(panel, panel.onDidChangeViewState, controller);
  return controller;
}
