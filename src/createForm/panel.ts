import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { panelIconPath } from '../webviewHost/channel';
import type { FormController, FormControllerDeps } from './controller';
import { taskIdFromSavedState } from './savedState';
import { webviewOptions } from '../webviewHost/page';
import { VIEW_TYPES } from '../ids';

/** The panel's tab title (a function: worded at use, after l10n.config). */
export function createPanelTitle(): string {
  return l10n.t('Create Kling Voice');
}

/** The Create Voice form in an editor panel: at most one, revealed when opened again. */
export class CreatePanelManager implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private _panel: vscode.WebviewPanel | undefined;
  private _controller: FormController | undefined;

  constructor(
    private readonly _deps: FormControllerDeps,
    private readonly _onController: (c: FormController) => vscode.Disposable,
  ) {}

  get panel(): vscode.WebviewPanel | undefined {
    return this._panel;
  }

  get controller(): FormController | undefined {
    return this._controller;
  }

  /** Opens the panel, or reveals it when it is already open. */
  open(column: vscode.ViewColumn = vscode.ViewColumn.Active): vscode.WebviewPanel {
    if (this._panel) {
      this._panel.reveal(column);
      return this._panel;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPES.createPanel,
      createPanelTitle(),
      column,
      webviewOptions(this._deps.extensionUri),
    );
    this._attach(panel, undefined);
    return panel;
  }

  /** Called by VS Code after a reload for a panel that was open; `state` is what the page saved (untrusted). */
  deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Thenable<void> {
    if (this._panel) {
      // A second restored panel: keep one form, as `open` does.
      panel.dispose();
      return Promise.resolve();
    }
    this._attach(panel, taskIdFromSavedState(state));
    return Promise.resolve();
  }

  private _attach(panel: vscode.WebviewPanel, restoreTaskId: string | undefined): void {
    this._panel = panel;
    panel.iconPath = panelIconPath(this._deps.extensionUri);
    // A lazy feature (src/lazy.ts): the form's controller is loaded with the first form.
    const { attachPanelForm } = require('./controller') as typeof import('./controller');
    const controller = attachPanelForm(panel, this._deps, 'panel');
    this._controller = controller;
    const registration = this._onController(controller);
    panel.onDidDispose(() => {
      registration.dispose();
      if (this._panel === panel) {
        this._panel = undefined;
        this._controller = undefined;
      }
    });
    controller.restore(restoreTaskId);
  }

  dispose(): void {
    this._panel?.dispose();
  }
}
