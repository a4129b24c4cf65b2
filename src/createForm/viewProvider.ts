import * as vscode from 'vscode';
import { bindToHost } from '../webviewHost/channel';
import { FormController, taskIdFromSavedState, type FormControllerDeps } from './controller';

/** The Create Voice form in the sidebar. */
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
    const controller = new FormController(view.webview, this._deps, 'view');
    this._controller = controller;
    const registration = this._onController(controller);
    bindToHost(view, view.onDidChangeVisibility, controller);
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
