import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { KeyStore } from '../service/keyStore';
import type { VoiceService } from '../service/voiceService';
import { CreatePanelManager } from './panel';
import { CreateViewProvider } from './viewProvider';
import { validSource } from '../history/source';
import type { FormController, FormControllerDeps, RetryRequest } from './controller';
import { COMMANDS, VIEWS, VIEW_TYPES } from '../ids';
import { Disposable } from '../dispose';

export { CreatePanelManager, createPanelTitle } from './panel';
export { CreateViewProvider } from './viewProvider';
export type { FormController } from './controller';

/** The failed task a retry is for: a My Voices node (its `item`) or a task id, looked up in the history. */
function retryRequest(arg: unknown, service: VoiceService): RetryRequest | string {
  const item = typeof arg === 'object' && arg !== null ? (arg as { item?: unknown }).item : undefined;
  const taskId =
    typeof arg === 'string'
      ? arg.trim()
      : typeof item === 'object' && item !== null
        ? (item as { taskId?: unknown }).taskId
        : undefined;
  if (typeof taskId !== 'string' || !taskId) {
    return l10n.t('Choose a failed task in My Voices to edit and retry it.');
  }
  const entry = service.history.get(taskId);
  const known = (item ?? entry) as
    { status?: unknown; voiceName?: unknown; statusMessage?: unknown; source?: unknown } | undefined;
  if (!known || known.status !== 'failed') {
    return l10n.t('Task {0} has not failed: only a failed task can be edited and retried.', taskId);
  }
  return {
    taskId,
    voiceName: typeof known.voiceName === 'string' ? known.voiceName : (entry?.voiceName ?? ''),
    statusMessage: typeof known.statusMessage === 'string' ? known.statusMessage : entry?.statusMessage,
    source: validSource(known.source) ?? validSource(entry?.source),
  };
}

export interface CreateVoiceWebviewDeps {
  context: vscode.ExtensionContext;
  service: VoiceService;
  keys: KeyStore;
  log: vscode.LogOutputChannel;
}

/** The live Create Voice forms (sidebar and panel), for tests and for whoever needs to reach them. */
export class CreateVoiceWebviews extends Disposable implements vscode.Disposable {
  readonly controllers = new Set<FormController>();
  readonly viewProvider: CreateViewProvider;
  readonly panels: CreatePanelManager;
  private readonly _onDidAddController = this._register(new vscode.EventEmitter<FormController>());

  private readonly _service: VoiceService;

  constructor(deps: CreateVoiceWebviewDeps) {
    super();
    this._service = deps.service;
    const controllerDeps: FormControllerDeps = {
      extensionUri: deps.context.extensionUri,
      service: deps.service,
      keys: deps.keys,
      log: deps.log,
      context: deps.context,
    };
    const track = (c: FormController): vscode.Disposable => {
      this.controllers.add(c);
      this._onDidAddController.fire(c);
      return new vscode.Disposable(() => this.controllers.delete(c));
    };
    this.viewProvider = this._register(new CreateViewProvider(controllerDeps, track));
    this.panels = this._register(new CreatePanelManager(controllerDeps, track));
    // No retainContextWhenHidden: the page keeps its fields with setState and the host replays the rest.
    this._register(vscode.window.registerWebviewViewProvider(VIEWS.createForm, this.viewProvider));
    this._register(vscode.window.registerWebviewPanelSerializer(VIEW_TYPES.createPanel, this.panels));
    this._register(
      vscode.commands.registerCommand(COMMANDS.openPanel, () => {
        this.panels.open();
      }),
    );
    this._register(vscode.commands.registerCommand(COMMANDS.retryInForm, (arg?: unknown) => this.retryInForm(arg)));
  }

  /**
   * Fills the sidebar's Create Voice form from a failed task (the editor panel's when the sidebar form is busy
   * creating a voice). Returns the form used, or undefined after telling the user why nothing happened.
   */
  async retryInForm(arg: unknown): Promise<FormController | undefined> {
    const request = retryRequest(arg, this._service);
    if (typeof request === 'string') {
      void vscode.window.showInformationMessage(request);
      return undefined;
    }
    let form = await this._sidebarForm();
    if (!form || form.busy) {
      this.panels.open();
      form = this.panels.controller;
    }
    if (form && (await form.editAndRetry(request))) {
      return form;
    }
    void vscode.window.showWarningMessage(
      l10n.t('Both Create Voice forms are creating a voice. Wait for one to finish or cancel it, then try again.'),
    );
    return undefined;
  }

  /** Reveals the sidebar form, resolving the view first when it was never shown (waits up to 10 s for it). */
  private async _sidebarForm(): Promise<FormController | undefined> {
    const resolved = this.viewProvider.controller
      ? undefined
      : new Promise<FormController | undefined>((resolve) => {
          const done = (c: FormController | undefined) => {
            clearTimeout(timer);
            sub.dispose();
            resolve(c);
          };
          const timer = setTimeout(() => done(undefined), 10_000);
          const sub = this._onDidAddController.event((c) => c === this.viewProvider.controller && done(c));
        });
    await vscode.commands.executeCommand(`${VIEWS.createForm}.focus`);
    return this.viewProvider.controller ?? (await resolved);
  }

  override dispose(): void {
    super.dispose();
    this.controllers.clear();
  }
}

/**
 * Registers the Create Voice sidebar view (`klingVoice.create`), the `klingVoice.openPanel` command and the
 * panel serializer (`klingVoice.createPanel`). Returns one Disposable for all of it.
 */
export function registerCreateVoiceWebviews(deps: CreateVoiceWebviewDeps): vscode.Disposable {
  return new CreateVoiceWebviews(deps);
}
