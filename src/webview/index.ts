import * as vscode from 'vscode';
import type { KeyStore } from '../auth/keyStore';
import type { VoiceService } from '../service/voiceService';
import { CreatePanelManager, CREATE_PANEL_VIEW_TYPE } from './createPanel';
import { CreateViewProvider, CREATE_VIEW_ID } from './createViewProvider';
import type { FormController, FormControllerDeps } from './formController';

export { CreatePanelManager, CREATE_PANEL_TITLE, CREATE_PANEL_VIEW_TYPE } from './createPanel';
export { CreateViewProvider, CREATE_VIEW_ID } from './createViewProvider';
export { FormController } from './formController';

/** Command that opens (or reveals) the Create Voice editor panel. */
export const OPEN_PANEL_COMMAND = 'klingVoice.openPanel';

export interface CreateVoiceWebviewDeps {
  context: vscode.ExtensionContext;
  service: VoiceService;
  keys: KeyStore;
  log: vscode.LogOutputChannel;
}

/** The live Create Voice forms (sidebar and panel), for tests and for whoever needs to reach them. */
export class CreateVoiceWebviews implements vscode.Disposable {
  readonly controllers = new Set<FormController>();
  readonly viewProvider: CreateViewProvider;
  readonly panels: CreatePanelManager;
  private readonly _registrations: vscode.Disposable;

  constructor(deps: CreateVoiceWebviewDeps) {
    const controllerDeps: FormControllerDeps = { extensionUri: deps.context.extensionUri, service: deps.service, keys: deps.keys, log: deps.log, context: deps.context };
    const track = (c: FormController): vscode.Disposable => {
      this.controllers.add(c);
      return new vscode.Disposable(() => this.controllers.delete(c));
    };
    this.viewProvider = new CreateViewProvider(controllerDeps, track);
    this.panels = new CreatePanelManager(controllerDeps, track);
    this._registrations = vscode.Disposable.from(
      // No retainContextWhenHidden: the page keeps its fields with setState and the host replays the rest.
      vscode.window.registerWebviewViewProvider(CREATE_VIEW_ID, this.viewProvider),
      vscode.window.registerWebviewPanelSerializer(CREATE_PANEL_VIEW_TYPE, this.panels),
      vscode.commands.registerCommand(OPEN_PANEL_COMMAND, () => {
        this.panels.open();
      }),
    );
  }

  dispose(): void {
    this._registrations.dispose();
    this.panels.dispose();
    this.viewProvider.dispose();
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
