import * as vscode from 'vscode';
import type { FormController, FormControllerDeps } from './controller';
import { taskIdFromSavedState } from './savedState';

/**
 * The Create Voice form in the sidebar. Its controller (./controller: the checks, the upload, the create) is a lazy
 * feature (src/lazy.ts), loaded when the view is first resolved.
 */
export class CreateViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private _controller: FormController | undefined;
  private _view: vscode.WebviewView | undefined;

  constructor(
    private readonly _deps: FormControllerDeps,
    private readonly _onController: (c: FormController) => vscode.Disposable,
  ) {}

  /** The form's controller while the view is resolved. */
  get controller(): FormController | undefined {
    return this._controller;
  }

  get view(): vscode.WebviewView | undefined {
    return this._view;
  }

  resolveWebviewView(view: vscode.WebviewView, context: vscode.WebviewViewResolveContext<unknown>): void {
    this._controller?.dispose();
    this._view = view;
    const { attachViewForm } = require('./controller') as typeof import('./controller');
    const controller = attachViewForm(view, this._deps);
    this._controller = controller;
    const registration = this._onController(controller);
    view.onDidDispose(() => {
      registration.dispose();
      if (this._controller === controller) {
        this._controller = undefined;
        this._view = undefined;
      }
    });
    controller.restore(taskIdFromSavedState(context.state));
  }

  dispose(): void {
    this._controller?.dispose();
    this._controller = undefined;
  }
}
