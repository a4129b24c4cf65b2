import * as vscode from 'vscode';
import { OPEN_TRIMMER_COMMAND } from '../commands/fromFile';
import { webviewOptions } from '../webview/html';
import { TrimmerController, type TrimmerDeps } from './trimmerController';

export { TrimmerController, type TrimmerDeps } from './trimmerController';
export { OPEN_TRIMMER_COMMAND };

/** The trimmer's editor panels' view type. */
export const TRIMMER_VIEW_TYPE = 'klingVoice.trimmer';

/** Puts a trimmer for `uri` into a panel, tied to the panel's visibility and lifetime. */
export function attachTrimmer(panel: vscode.WebviewPanel, deps: TrimmerDeps, uri: vscode.Uri): TrimmerController {
  const controller = new TrimmerController(panel.webview, deps, uri);
  // Without retainContextWhenHidden the page reloads (and says `ready` again) when shown; the host replays.
  const viewState = panel.onDidChangeViewState(() => {
    if (!panel.visible) {
      controller.markHidden();
    }
  });
  panel.onDidDispose(() => {
    viewState.dispose();
    controller.dispose();
  });
  return controller;
}

/**
 * Registers `klingVoice.openTrimmer` (a file Uri, or asks for one): one trimmer panel per file, revealed when
 * opened again. The command returns the panel's controller (for callers in this extension host, e.g. tests).
 */
export function registerTrimmer(deps: TrimmerDeps): vscode.Disposable {
  const open = new Map<string, { panel: vscode.WebviewPanel; controller: TrimmerController }>();
  return vscode.Disposable.from(
    vscode.commands.registerCommand(OPEN_TRIMMER_COMMAND, async (arg?: unknown) => {
      let uri = arg instanceof vscode.Uri ? arg : undefined;
      if (!uri) {
        const picked = await vscode.window.showOpenDialog({
          title: 'Open a voice sample in the trimmer',
          canSelectMany: false,
          openLabel: 'Open in Trimmer',
          filters: { 'Audio (WAV, MP3)': ['wav', 'mp3'] },
        });
        uri = picked?.[0];
        if (!uri) {
          return undefined;
        }
      }
      const key = uri.toString();
      const existing = open.get(key);
      if (existing) {
        existing.panel.reveal();
        return existing.controller;
      }
      const name = uri.path.split('/').pop() ?? 'sample';
      const panel = vscode.window.createWebviewPanel(TRIMMER_VIEW_TYPE, `Trim ${name}`, vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
      panel.iconPath = {
        light: vscode.Uri.joinPath(deps.extensionUri, 'media', 'panel-light.svg'),
        dark: vscode.Uri.joinPath(deps.extensionUri, 'media', 'panel-dark.svg'),
      };
      const controller = attachTrimmer(panel, deps, uri);
      open.set(key, { panel, controller });
      panel.onDidDispose(() => open.delete(key));
      return controller;
    }),
    new vscode.Disposable(() => {
      for (const { panel } of open.values()) {
        panel.dispose();
      }
    }),
  );
}
