import * as path from 'path';
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { uniqueVoiceNames } from '../audio';
import type { KeyStore } from '../service/keyStore';
import { fileView, inspectFile, preparedAsIs, type Inspected } from '../fromFile/inspect';
import { uploadAndCreate } from '../fromFile/pipeline';
import { COMMANDS } from '../ids';
import { hasSampleExtension, isKlingError, SAMPLE_EXTENSIONS, type VoiceTask } from '../kling';
import type { VoiceService } from '../service/voiceService';
import type { TaskSource } from '../history/source';
import { emptyForm, validateForm, type CreateFormValues } from '../shared/createForm';
import {
  isWebviewToHost,
  type FileView,
  type HostToWebview,
  type TaskView,
  type WebviewToHost,
} from '../shared/protocol/createForm';
import {
  bindToHost,
  endedTaskView,
  errorText,
  failureText,
  succeededView,
  WebviewChannel,
  type ChannelDeps,
} from '../webviewHost/channel';
import { renderHtml } from './html';

export { taskIdFromSavedState } from './savedState';

export interface FormControllerDeps extends ChannelDeps {
  service: VoiceService;
  keys: KeyStore;
  /**
   * Upload credentials and consents, for the local-file source (the same pipeline as the explorer command);
   * `workspaceState`, when given, remembers the chosen file across window reloads.
   */
  context: { secrets: vscode.SecretStorage; globalState: vscode.Memento; workspaceState?: vscode.Memento };
}

/** Host-side state; `running.startedAt` is this machine's clock, turned into an elapsed time when sent. */
type HostTask =
  | Exclude<TaskView, { phase: 'running' }>
  | (Omit<Extract<TaskView, { phase: 'running' }>, 'elapsedMs'> & { startedAt: number });

/** Where a form remembers its chosen file (a URI string; the file is checked again when it is read back). */
export function chosenFileKey(label: string): string {
  return `klingVoice.form.${label}.file`;
}

/** The remembered file of a form, when it is still a sample's URI (the stored value is checked, not trusted). */
export function rememberedFile(state: vscode.Memento | undefined, label: string): vscode.Uri | undefined {
  return sampleUri(state?.get<unknown>(chosenFileKey(label)));
}

/** A stored URI string, when it still names a sample file (stored data is checked, not trusted). */
export function sampleUri(raw: unknown): vscode.Uri | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 4096) {
    return undefined;
  }
  try {
    const uri = vscode.Uri.parse(raw, true);
    return hasSampleExtension(uri.path) ? uri : undefined;
  } catch {
    return undefined;
  }
}

/** Shown for the local-file source while `klingVoice.upload.provider` is "none". */
export function noProviderMessage(): string {
  return l10n.t(
    'Kling downloads samples from a URL, and no upload provider is set. Open the upload settings to use your S3-compatible bucket or an upload endpoint, or paste a public URL instead.',
  );
}

/** A failed task to edit and send again (from My Voices): what the history knows of it. */
export interface RetryRequest {
  taskId: string;
  voiceName: string;
  statusMessage?: string;
  source?: TaskSource;
}

/**
 * Drives one Create Voice form in one webview (sidebar view or editor panel). Owns the task state; the page
 * only renders it. Posts wait until the page says `ready`; each `ready` (first load, or the page was reloaded
 * after being hidden) gets the full state.
 */
export class FormController extends WebviewChannel<HostToWebview, WebviewToHost> {
  private _task: HostTask = { phase: 'idle' };
  /** The local file chosen for the file source: its location stays here, the page gets only what it shows. */
  private _file: { uri: vscode.Uri; view: FileView; inspected?: Inspected } | undefined;
  private _checkAbort: AbortController | undefined;

  constructor(
    webview: vscode.Webview,
    private readonly _deps: FormControllerDeps,
    /** Names this form in the log: "view" or "panel". */
    readonly label: string,
  ) {
    super(webview, _deps, {
      html: renderHtml(webview, _deps.extensionUri),
      logName: `create form (${label})`,
      isMessage: isWebviewToHost,
      stateType: 'state',
    });
  }

  /** What the form shows now (for tests). */
  get task(): TaskView {
    return this._view();
  }

  /** True while a create runs in this form (it cannot take another one then). */
  get busy(): boolean {
    return this._task.phase === 'running';
  }

  /**
   * Fills the form from a failed task so the user can fix it and create again: the name and the source (the URL
   * without its query, the video id, or the local file, checked again), with Kling's reason above the fields. The
   * external task id is left empty so the new task gets its own. Returns false, changing nothing, while a create
   * runs in this form.
   */
  async editAndRetry(r: RetryRequest): Promise<boolean> {
    if (this.busy || this.isDisposed) {
      return false;
    }
    const form: CreateFormValues = { ...emptyForm(), voiceName: r.voiceName };
    let file: vscode.Uri | undefined;
    switch (r.source?.kind) {
      case 'url':
        form.voiceUrl = r.source.url;
        break;
      case 'video':
        form.source = 'video';
        form.videoId = r.source.videoId;
        break;
      case 'file':
        form.source = 'file';
        file = sampleUri(r.source.uri);
        break;
      default:
        break;
    }
    this._deps.log.info(`create form (${this.label}): filled from failed task ${r.taskId} to edit and retry`);
    this._setTask({
      phase: 'failed',
      reason: 'task',
      voiceName: r.voiceName,
      taskId: r.taskId,
      message: failureText(r.statusMessage),
    });
    this._post({ type: 'prefill', form });
    if (r.source?.kind === 'file') {
      const exists =
        file &&
        (await vscode.workspace.fs.stat(file).then(
          () => true,
          () => false,
        ));
      if (file && exists) {
        await this.useFile(file);
      } else {
        this._file = undefined;
        this._postState();
        this._post({
          type: 'invalid',
          errors: { file: l10n.t('{0} is no longer where it was: choose the file again.', r.source.fileName) },
        });
      }
    }
    return true;
  }

  /** The chosen file as the page sees it (for tests). */
  get file(): FileView | undefined {
    return this._file?.view;
  }

  /**
   * Shows a task this form followed before a window reload, from the local task history (no network for a
   * finished task). A task still running is followed again.
   */
  restore(taskId: string | undefined): void {
    void this._restoreFile().catch((e: unknown) =>
      this._deps.log.warn(`create form (${this.label}): could not restore the chosen file: ${errorText(e)}`),
    );
    if (!taskId || this._task.phase !== 'idle') {
      return;
    }
    const entry = this._deps.service.history.get(taskId);
    if (!entry) {
      return;
    }
    const voice = entry.voices[0];
    if (entry.status === 'succeed' && voice) {
      this._setTask(succeededView(voice, entry.taskId, entry.voiceName));
    } else if (entry.status === 'failed') {
      this._setTask({
        phase: 'failed',
        reason: 'task',
        voiceName: entry.voiceName,
        taskId,
        message: failureText(entry.statusMessage),
      });
    } else {
      this._deps.log.info(`create form (${this.label}): following task ${taskId} again after a reload`);
      void this._follow(
        entry.voiceName,
        (signal, onUpdate) => this._deps.service.waitForTask(taskId, { signal, onUpdate }),
        {
          status: entry.status === 'processing' ? 'processing' : 'submitted',
          taskId,
        },
      );
    }
  }

  protected override async _handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this._markReady();
        this._post(this._stateMessage(), true);
        this._flushQueue();
        return;
      case 'submit':
        return this._submit(m.form);
      case 'cancel':
        if (this._task.phase === 'running' && this._abort) {
          this._deps.log.info(`create form (${this.label}): cancel requested`);
          this._setTask({ ...this._task, cancelling: true });
          this._abort.abort();
        }
        return;
      case 'chooseFile':
        return this._chooseFile();
      case 'copyVoiceId':
      case 'insertSnippet':
      case 'showLog':
      case 'openUploadSettings':
        return this._sharedAction(m.type);
      case 'setApiKey':
        await vscode.commands.executeCommand(COMMANDS.setApiKey);
        return this._refreshKey();
      case 'reset':
        if (this._task.phase !== 'running') {
          this._setTask({ phase: 'idle' });
        }
        return;
      case 'openTrimmer':
        if (this._file) {
          await vscode.commands.executeCommand(COMMANDS.openTrimmer, this._file.uri);
        }
        return;
      default: {
        const never: never = m;
        throw new Error(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  private async _submit(form: CreateFormValues): Promise<void> {
    if (this._task.phase === 'running') {
      this._deps.log.warn(`create form (${this.label}): a task is already running; submit ignored`);
      return;
    }
    // Never trust the page: the same rules as the client, again, before anything is sent.
    const file = this._file;
    const { errors, input } = validateForm(
      form,
      file && {
        usable: file.view.usable,
        problem: file.view.checking ? l10n.t('The file is still being checked.') : file.view.problems.join(' '),
      },
    );
    if (input && form.source === 'file' && this._uploadProvider === 'none') {
      errors.file = noProviderMessage();
    }
    if (!input || errors.file) {
      this._deps.log.warn(`create form (${this.label}): refused invalid input (${Object.keys(errors).join(', ')})`);
      this._post({ type: 'invalid', errors });
      return;
    }
    if (form.source === 'file') {
      const prepared = file?.inspected && preparedAsIs(file.inspected);
      if (!prepared || typeof prepared === 'string') {
        this._post({ type: 'invalid', errors: { file: prepared || l10n.t('Choose the file again.') } });
        return;
      }
      const { voiceName, callbackUrl, externalTaskId } = input;
      await this._follow(
        voiceName,
        (signal, onUpdate, onSubmitted) =>
          uploadAndCreate(
            this._deps,
            prepared,
            { voiceName, callbackUrl, externalTaskId },
            {
              signal,
              onConsentPrompt: () => {
                if (this._task.phase === 'running' && this._task.status === 'uploading') {
                  this._setTask({ ...this._task, awaitingConsent: true });
                }
              },
              onUploadStart: () => {
                if (this._task.phase === 'running' && this._task.status === 'uploading') {
                  this._setTask({ ...this._task, awaitingConsent: undefined, uploadPercent: 0 });
                }
              },
              onUploadProgress: (pct) => {
                if (
                  this._task.phase === 'running' &&
                  this._task.status === 'uploading' &&
                  pct !== this._task.uploadPercent
                ) {
                  this._setTask({ ...this._task, uploadPercent: pct });
                }
              },
              onUploaded: () => {
                if (this._task.phase === 'running' && this._task.status === 'uploading') {
                  this._setTask({ ...this._task, status: 'submitting', uploadPercent: undefined });
                }
              },
              onSubmitted,
              onUpdate,
            },
          ),
        { status: 'uploading' },
      );
      return;
    }
    await this._follow(
      input.voiceName,
      (signal, onUpdate, onSubmitted) => this._deps.service.createVoice(input, { signal, onUpdate, onSubmitted }),
      {
        status: 'submitting',
      },
    );
  }

  /** Runs one create or follow-up and mirrors its progress and outcome in the form. */
  private async _follow(
    voiceName: string,
    run: (
      signal: AbortSignal,
      onUpdate: (t: VoiceTask) => void,
      onSubmitted: (t: VoiceTask) => void,
    ) => Promise<VoiceTask>,
    initial: { status: 'uploading' | 'submitting' | 'submitted' | 'processing'; taskId?: string },
  ): Promise<void> {
    const abort = new AbortController();
    this._abort = abort;
    this._setTask({
      phase: 'running',
      voiceName,
      status: initial.status,
      taskId: initial.taskId,
      startedAt: Date.now(),
      cancelling: false,
    });
    const onUpdate = (t: VoiceTask) => {
      if (
        this._task.phase === 'running' &&
        this._abort === abort &&
        (t.status === 'submitted' || t.status === 'processing')
      ) {
        if (t.status !== this._task.status || t.taskId !== this._task.taskId) {
          this._setTask({ ...this._task, status: t.status, taskId: t.taskId, uploadPercent: undefined });
        }
      }
    };
    let taskId = initial.taskId;
    try {
      const task = await run(abort.signal, onUpdate, (t) => {
        taskId = t.taskId;
        onUpdate(t);
      });
      taskId = task.taskId;
      this._setTask(endedTaskView(task, voiceName));
    } catch (e) {
      taskId ??= isKlingError(e) ? e.taskId : undefined;
      if (isKlingError(e) && e.kind === 'cancelled') {
        this._deps.log.info(
          `create form (${this.label}): stopped following ${taskId ? `task ${taskId}` : 'the create request'}`,
        );
        this._setTask({
          phase: 'failed',
          reason: 'cancelled',
          voiceName,
          taskId,
          message: taskId
            ? l10n.t(
                "Stopped following task {0}. Kling may still finish it: check it later with 'Kling Voice: Check Task…'.",
                taskId,
              )
            : l10n.t('Cancelled before Kling confirmed the request.'),
        });
      } else if (isKlingError(e) && e.kind === 'taskTimeout') {
        this._deps.log.warn(`create form (${this.label}): ${errorText(e)}`);
        this._setTask({ phase: 'failed', reason: 'running', voiceName, taskId, message: errorText(e) });
      } else {
        this._deps.log.error(`create form (${this.label}): could not create voice "${voiceName}": ${errorText(e)}`);
        this._setTask({ phase: 'failed', reason: 'error', voiceName, taskId, message: errorText(e) });
      }
    } finally {
      if (this._abort === abort) {
        this._abort = undefined;
      }
    }
  }

  private async _chooseFile(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      openLabel: l10n.t('Choose Sample'),
      title: l10n.t('Choose a voice sample (5 to 30 seconds)'),
      filters: { [l10n.t('Audio or video')]: [...SAMPLE_EXTENSIONS] },
    });
    const uri = picked?.[0];
    if (uri) {
      await this.useFile(uri);
    }
  }

  /**
   * Reads and checks a local file for the file source (the open dialog's choice; tests call it directly). The
   * page gets the file's name and numbers only; the location and the bytes stay on the host.
   */
  async useFile(uri: vscode.Uri): Promise<FileView> {
    const fileName = path.posix.basename(uri.path);
    const checking: FileView = {
      fileName,
      checking: true,
      usable: false,
      warnings: [],
      problems: [],
      trimmable: false,
    };
    const entry: NonNullable<typeof this._file> = { uri, view: checking };
    this._file = entry;
    this._postState();
    void Promise.resolve(this._deps.context.workspaceState?.update(chosenFileKey(this.label), uri.toString())).catch(
      () => undefined,
    );
    // Choosing another file stops this one's check (its worker is terminated).
    this._checkAbort?.abort();
    const abort = (this._checkAbort = new AbortController());
    const inspected = await inspectFile(uri, { signal: abort.signal }).catch((e: unknown) =>
      l10n.t('{0} cannot be checked: {1}', fileName, errorText(e)),
    );
    const view: FileView = {
      ...fileView(inspected, fileName),
      suggestedName: uniqueVoiceNames(
        [fileName],
        this._deps.service.history.all().map((e) => e.voiceName),
      )[0],
    };
    if (this._file === entry) {
      entry.view = view;
      // Kept to upload the file as it is: its bytes and facts, not the decoded audio (the view has the numbers).
      entry.inspected = typeof inspected === 'string' ? undefined : { ...inspected, audio: undefined };
      this._deps.log.info(
        `create form (${this.label}): chose ${fileName}: ${view.usable ? 'usable' : view.problems.join(' ')}`,
      );
      this._postState();
    }
    return view;
  }

  /** Chooses again the file chosen before a reload, when it still exists (a vanished file is forgotten quietly). */
  private async _restoreFile(): Promise<void> {
    const state = this._deps.context.workspaceState;
    const uri = rememberedFile(state, this.label);
    if (!uri || this._file) {
      return;
    }
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      await state?.update(chosenFileKey(this.label), undefined);
      return;
    }
    if (!this._file && !this.isDisposed) {
      await this.useFile(uri);
    }
  }

  protected override _resultVoiceId(): string | undefined {
    return this._task.phase === 'succeeded' ? this._task.voiceId : undefined;
  }

  private _setTask(task: HostTask): void {
    if (this.isDisposed) {
      return;
    }
    this._task = task;
    this._postState();
  }

  private _view(): TaskView {
    const t = this._task;
    if (t.phase !== 'running') {
      return t;
    }
    const { startedAt, ...rest } = t;
    return { ...rest, elapsedMs: Math.max(0, Date.now() - startedAt) };
  }

  private _stateMessage(): HostToWebview {
    return {
      type: 'state',
      hasApiKey: this._hasApiKey,
      task: this._view(),
      file: this._file?.view,
      uploadProvider: this._uploadProvider,
    };
  }

  protected override _postState(): void {
    this._post(this._stateMessage());
  }
}

/** Puts a Create Voice form into a panel, tied to the panel's visibility and lifetime. */
export function attachPanelForm(panel: vscode.WebviewPanel, deps: FormControllerDeps, label: string): FormController {
  const controller = new FormController(panel.webview, deps, label);
  bindToHost(panel, panel.onDidChangeViewState, controller);
  return controller;
}

/** Puts a Create Voice form into the sidebar view, tied to the view's visibility and lifetime. */
export function attachViewForm(view: vscode.WebviewView, deps: FormControllerDeps): FormController {
  const controller = new FormController(view.webview, deps, 'view');
  bindToHost(view, view.onDidChangeVisibility, controller);
  return controller;
}
