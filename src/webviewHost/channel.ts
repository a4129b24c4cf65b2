import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { KeyStore } from '../service/keyStore';
import { uploadProviderName } from '../config';
import type { VoiceTask } from '../kling';
import type { TaskView, UploadProviderName } from '../shared/protocol/createForm';
import { isPlayableTrialUrl, webviewOptions } from './page';
import { COMMANDS, SETTINGS, VSCODE_COMMANDS } from '../ids';
import { Disposable } from '../dispose';

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What every webview controller needs from the extension. */
export interface ChannelDeps {
  extensionUri: vscode.Uri;
  keys: KeyStore;
  log: vscode.LogOutputChannel;
}

/** How a page's messages are told apart, and what the controller calls itself in the log. */
export interface ChannelOptions<Out extends { type: string }, In extends { type: string }> {
  /** The page's HTML (written once; every value arrives later by message). */
  html: string;
  /** Prefix of the log lines: "trimmer", "create form (view)". */
  logName: string;
  /** The guard that checks everything the page sends. */
  isMessage: (raw: unknown) => raw is In;
  /** The message type that carries the whole state: never queued, since `ready` always gets the latest. */
  stateType: Out['type'];
}

/** Messages both pages send about the result card and the upload settings. */
export type SharedAction = 'copyVoiceId' | 'insertSnippet' | 'showLog' | 'openUploadSettings';

/**
 * The host side of one webview page: posts wait until the page says `ready` (the controller calls `_markReady`,
 * posts what a fresh page needs and `_flushQueue`s the rest); a hidden page is destroyed and says `ready` again
 * when shown. Everything the page sends is checked with `isMessage` first. Keeps the API key flag and the upload
 * provider up to date and posts the state when either changes.
 */
export abstract class WebviewChannel<Out extends { type: string }, In extends { type: string }>
  extends Disposable
  implements vscode.Disposable
{
  private _ready = false;
  private _queue: Out[] = [];
  private readonly _onDidPost = this._register(new vscode.EventEmitter<Out>());
  /** Fires for every message actually posted to the page (for tests). */
  readonly onDidPost = this._onDidPost.event;
  protected _hasApiKey = false;
  protected _uploadProvider: UploadProviderName = uploadProviderName();
  /** Aborts the running create, if any (on Cancel, and when the page goes away). */
  protected _abort: AbortController | undefined;
  protected readonly _logName: string;
  private readonly _isMessage: (raw: unknown) => raw is In;
  private readonly _stateType: Out['type'];

  constructor(
    private readonly _webview: vscode.Webview,
    protected readonly _channelDeps: ChannelDeps,
    options: ChannelOptions<Out, In>,
  ) {
    super();
    this._logName = options.logName;
    this._isMessage = options.isMessage;
    this._stateType = options.stateType;
    _webview.options = webviewOptions(_channelDeps.extensionUri);
    _webview.html = options.html;
    this._register(_webview.onDidReceiveMessage((m: unknown) => this.handleMessage(m)));
    this._register(_channelDeps.keys.onDidChange(() => void this._refreshKey()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS.upload)) {
          this._uploadProvider = uploadProviderName();
          this._postState();
        }
      }),
    );
    void this._refreshKey();
  }

  /** True once the page said `ready` and has not been hidden since. */
  get isReady(): boolean {
    return this._ready;
  }

  /**
   * Checks and handles one message from the page. Returns false, after logging, for anything that is not a
   * well-formed message; nothing else happens then.
   */
  handleMessage(raw: unknown): boolean {
    if (this.isDisposed) {
      return false;
    }
    if (!this._isMessage(raw)) {
      this._channelDeps.log.warn(`${this._logName}: dropped a malformed message (${describeRefused(raw)})`);
      return false;
    }
    void this._handle(raw).catch((e: unknown) =>
      this._channelDeps.log.error(`${this._logName}: ${raw.type} failed: ${errorText(e)}`),
    );
    return true;
  }

  /** The page was hidden and its content destroyed: hold posts until it says `ready` again. */
  markHidden(): void {
    this._ready = false;
  }

  /** Handles one checked message. */
  protected abstract _handle(m: In): Promise<void>;

  /** Posts the whole state (a message of `stateType`). */
  protected abstract _postState(): void;

  /** The voice id of the result shown, if the page shows one. */
  protected abstract _resultVoiceId(): string | undefined;

  /** The page said `ready`: posts go out from now on (the caller sends what a fresh page needs, then `_flushQueue`). */
  protected _markReady(): void {
    this._ready = true;
  }

  /** Posts what was queued while the page was not ready. */
  protected _flushQueue(): void {
    for (const queued of this._queue.splice(0)) {
      this._post(queued);
    }
  }

  /** The result card's buttons and the upload settings link: the same in every page. */
  protected async _sharedAction(type: SharedAction): Promise<void> {
    switch (type) {
      case 'copyVoiceId': {
        const id = this._resultVoiceId();
        if (id) {
          await vscode.env.clipboard.writeText(id);
          vscode.window.setStatusBarMessage(l10n.t('Copied voice id {0}', id), 3000);
        }
        return;
      }
      case 'insertSnippet': {
        const id = this._resultVoiceId();
        if (id) {
          try {
            await vscode.commands.executeCommand(COMMANDS.insertSnippet, id);
          } catch (e) {
            this._channelDeps.log.error(`${this._logName}: insert snippet failed: ${errorText(e)}`);
            void vscode.window.showErrorMessage(l10n.t('Could not insert a snippet: {0}', errorText(e)));
          }
        }
        return;
      }
      case 'showLog':
        await vscode.commands.executeCommand(COMMANDS.showLog);
        return;
      case 'openUploadSettings':
        await vscode.commands.executeCommand(VSCODE_COMMANDS.openSettings, SETTINGS.upload);
        return;
      default: {
        const never: never = type;
        throw new Error(`unhandled action ${JSON.stringify(never)}`);
      }
    }
  }

  protected async _refreshKey(): Promise<void> {
    const has = !!(await this._channelDeps.keys.get());
    if (has !== this._hasApiKey) {
      this._hasApiKey = has;
      this._postState();
    }
  }

  /** Posts now when the page is ready; otherwise queues (the state is not queued: `ready` always gets the latest). */
  protected _post(message: Out, force = false): void {
    if (this.isDisposed) {
      return;
    }
    if (!this._ready && !force) {
      if (message.type !== this._stateType) {
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

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    // Nobody can see the progress any more; the task itself goes on at Kling and stays in the history.
    this._abort?.abort();
    this._ready = false;
    super.dispose();
  }
}

/**
 * What the log says of a message the guard refused: its kind, its size, and its `type` only when that looks like a
 * message type (a short camelCase word, as every type of the protocols is). Nothing else of its content: a page
 * could send anything, including text the user pasted.
 */
export function describeRefused(raw: unknown): string {
  if (typeof raw === 'string') {
    return `a string of ${raw.length} characters`;
  }
  if (typeof raw !== 'object' || raw === null) {
    return raw === null ? 'null' : typeof raw;
  }
  if (Array.isArray(raw)) {
    return `an array of ${raw.length} items`;
  }
  const keys = Object.keys(raw).length;
  const type: unknown = (raw as { type?: unknown }).type;
  const named =
    typeof type === 'string' && /^[a-z]{1,16}(?:[A-Z][a-z]{1,16}){0,3}$/.test(type)
      ? `type "${type}"`
      : typeof type === 'string'
        ? `a type of ${type.length} characters`
        : `no string type`;
  return `an object with ${keys} key${keys === 1 ? '' : 's'}, ${named}`;
}

/** The result card of a task that succeeded (a trial_url the page may not play is dropped). */
export function succeededView(
  voice: { voiceId: string; voiceName: string; trialUrl?: string },
  taskId: string,
  fallbackName: string,
): Extract<TaskView, { phase: 'succeeded' }> {
  return {
    phase: 'succeeded',
    voiceName: voice.voiceName || fallbackName,
    voiceId: voice.voiceId,
    taskId,
    trialUrl: isPlayableTrialUrl(voice.trialUrl) ? voice.trialUrl : undefined,
  };
}

/** Kling's reason for a failed task, as the failure card says it. */
export function failureText(statusMessage: string | undefined): string {
  return statusMessage ? l10n.t('Reason: {0}', statusMessage) : l10n.t('Kling gave no reason.');
}

/** What a page shows for a task that ended: the result card, Kling's reason, or a task that ended without a voice. */
export function endedTaskView(
  task: VoiceTask,
  voiceName: string,
): Extract<TaskView, { phase: 'succeeded' | 'failed' }> {
  const voice = task.voices[0];
  if (task.status === 'succeed' && voice) {
    return succeededView(voice, task.taskId, voiceName);
  }
  if (task.status === 'failed') {
    return {
      phase: 'failed',
      reason: 'task',
      voiceName,
      taskId: task.taskId,
      message: failureText(task.statusMessage),
    };
  }
  return {
    phase: 'failed',
    reason: 'error',
    voiceName,
    taskId: task.taskId,
    message: l10n.t(
      'Task {0} ended as "{1}" without a voice. Check it later with \'Kling Voice: Check Task…\'.',
      task.taskId,
      task.status,
    ),
  };
}

/** The icon of an editor tab: drawn as an image, where currentColor means nothing, so one fixed colour per theme kind. */
export function panelIconPath(extensionUri: vscode.Uri): { light: vscode.Uri; dark: vscode.Uri } {
  return {
    light: vscode.Uri.joinPath(extensionUri, 'media', 'panel-light.svg'),
    dark: vscode.Uri.joinPath(extensionUri, 'media', 'panel-dark.svg'),
  };
}

/**
 * Ties a controller to the panel or view that shows its page (`visibilityChanged`: the panel's
 * onDidChangeViewState or the view's onDidChangeVisibility). Without retainContextWhenHidden the page is destroyed
 * when hidden and reloaded (and says `ready` again) when shown; the controller then replays. When the panel or
 * view goes, so does the controller.
 */
export function bindToHost(
  host: { readonly visible: boolean; readonly onDidDispose: vscode.Event<void> },
  visibilityChanged: vscode.Event<unknown>,
  controller: { markHidden(): void; dispose(): void },
): void {
  const visibility = visibilityChanged(() => {
    if (!host.visible) {
      controller.markHidden();
    }
  });
  host.onDidDispose(() => {
    visibility.dispose();
    controller.dispose();
  });
}
