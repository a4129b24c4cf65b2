import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';

import { parseTrimmerState, TRIMMER_EXTENSIONS } from '../shared/protocol/trimmer';
import { panelIconPath } from '../webviewHost/channel';
import { webviewOptions } from '../webviewHost/page';
import type { TrimmerController, TrimmerDeps } from './trimmerController';
import { COMMANDS, VIEW_TYPES } from '../ids';
import { disposeAll } from '../dispose';

// The trimmer itself (./trimmerController: the audio checks, the export, the upload and create) is a lazy feature
// (src/lazy.ts), loaded with the first trimmer tab; this file is what VS Code's start loads.
export type { TrimmerController, TrimmerDeps } from './trimmerController';

function fileName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || 'sample';
}

/**
 * Schemes a restored tab may read: local files, and the workspace's own file system in remote and virtual
 * workspaces (the explorer, editor tabs and the file dialog give nothing else).
 */
function restorableSchemes(): Set<string> {
  return new Set(['file', 'vscode-remote', ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.scheme)]);
}

/**
 * The file a restored tab should show, from the state its page saved (untrusted: it was read back from disk).
 * Only the URI is taken from it, and only when it parses strictly, has an allowed scheme, no query or fragment,
 * and names a .wav or .mp3 file. The file itself is read and checked again by the controller, like a new one.
 */
export function trimmerUriFromState(state: unknown): vscode.Uri | undefined {
  const saved = parseTrimmerState(state);
  if (!saved) {
    return undefined;
  }
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(saved.uri, true);
  } catch {
    return undefined;
  }
  const path = uri.path.toLowerCase();
  if (
    !restorableSchemes().has(uri.scheme) ||
    uri.query ||
    uri.fragment ||
    !TRIMMER_EXTENSIONS.some((ext) => path.endsWith(ext))
  ) {
    return undefined;
  }
  return uri;
}

/**
 * The trimmer's editor panels: one per file (opening a file again reveals its panel), each tied to its
 * controller. Also the serializer VS Code calls after a window reload for each trimmer tab that was open.
 */
export class TrimmerPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  /** The panel of each open file. */
  private readonly _open = new Map<string, vscode.WebviewPanel>();
  /** Every live panel's controller, restored or not. */
  private readonly _controllers = new Map<vscode.WebviewPanel, TrimmerController>();

  constructor(private readonly _deps: TrimmerDeps) {}

  /** The open trimmer of a file, if any (for tests). */
  get(uri: vscode.Uri): TrimmerController | undefined {
    const panel = this._open.get(uri.toString());
    return panel && this._controllers.get(panel);
  }

  /** The controller of a panel this object attached (for tests). */
  controllerOf(panel: vscode.WebviewPanel): TrimmerController | undefined {
    return this._controllers.get(panel);
  }

  /** Opens a trimmer for `uri`, or reveals the one already open. */
  open(uri: vscode.Uri): TrimmerController {
    const existing = this.get(uri);
    if (existing) {
      this._open.get(uri.toString())?.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPES.trimmer,
      l10n.t('Trim {0}', fileName(uri)),
      vscode.ViewColumn.Active,
      webviewOptions(this._deps.extensionUri),
    );
    return this._attach(panel, uri);
  }

  /**
   * Called by VS Code after a reload for a trimmer tab that was open; `state` is what its page saved. The file
   * is read and checked again; a state that names no acceptable file shows why in the tab instead.
   */
  deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Thenable<void> {
    const uri = trimmerUriFromState(state);
    if (!uri) {
      this._deps.log.warn('trimmer: a tab was not restored: its saved state names no .wav or .mp3 file');
      this._attach(panel, undefined);
      return Promise.resolve();
    }
    if (this._open.has(uri.toString())) {
      // Two tabs of one file: keep one, as `open` does.
      panel.dispose();
      return Promise.resolve();
    }
    panel.title = l10n.t('Trim {0}', fileName(uri));
    this._attach(panel, uri);
    return Promise.resolve();
  }

  /** A trimmer for `uri` in `panel`; without a uri, the panel says the tab could not be restored. */
  private _attach(panel: vscode.WebviewPanel, uri: vscode.Uri | undefined): TrimmerController {
    panel.iconPath = panelIconPath(this._deps.extensionUri);
    const { attachTrimmer, notRestored } = require('./trimmerController') as typeof import('./trimmerController');
    const controller = attachTrimmer(panel, this._deps, uri, uri ? undefined : notRestored());
    this._controllers.set(panel, controller);
    const key = uri?.toString();
    if (key !== undefined) {
      this._open.set(key, panel);
    }
    panel.onDidDispose(() => {
      this._controllers.delete(panel);
      if (key !== undefined && this._open.get(key) === panel) {
        this._open.delete(key);
      }
    });
    return controller;
  }

  dispose(): void {
    disposeAll([...this._controllers.keys()]);
  }
}

/**
 * Registers `klingVoice.openTrimmer` (a file Uri, or asks for one) and the serializer of the trimmer's tabs.
 * The command returns the panel's controller (for callers in this extension host, e.g. tests).
 */
export function registerTrimmer(deps: TrimmerDeps): vscode.Disposable {
  const panels = new TrimmerPanels(deps);
  return vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPES.trimmer, panels),
    vscode.commands.registerCommand(COMMANDS.openTrimmer, async (arg?: unknown) => {
      let uri = arg instanceof vscode.Uri ? arg : undefined;
      if (!uri) {
        const picked = await vscode.window.showOpenDialog({
          title: l10n.t('Open a voice sample in the trimmer'),
          canSelectMany: false,
          openLabel: l10n.t('Open in Trimmer'),
          filters: { [l10n.t('Audio (WAV, MP3)')]: ['wav', 'mp3'] },
        });
        uri = picked?.[0];
        if (!uri) {
          return undefined;
        }
      }
      return panels.open(uri);
    }),
    panels,
  );
}
