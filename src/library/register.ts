import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../ids';
import { registerVoiceCompletion } from './completion';
import { registerRequestDiagnostics } from './requestDiagnostics';
import { registerVoiceHover } from './hover';
import { registerStatusBar } from '../ui/statusBar';
import { PresetsTreeProvider, VoicesTreeProvider, countDescription } from './trees';
import { registerLazyCommands } from '../lazy';
import { disposeAll } from '../dispose';
import type { LibraryCommandContext, LibraryDeps } from './handlers';

export type { LibraryDeps } from './handlers';

/** The commands whose handlers are in ./handlers. */
const LIBRARY_COMMANDS = [
  COMMANDS.removeFromList,
  COMMANDS.copyVoiceId,
  COMMANDS.playTrial,
  COMMANDS.openTrialAudio,
  COMMANDS.checkTaskFromTree,
  COMMANDS.copyTaskDiagnostics,
  COMMANDS.insertSnippet,
  COMMANDS.useVoice,
  COMMANDS.editVoiceNotes,
  COMMANDS.filterVoicesByTag,
  COMMANDS.clearVoiceFilter,
  COMMANDS.exportVoiceNotes,
  COMMANDS.importVoiceNotes,
] as const;

/** Registers the two trees, their commands, the status bar item and the voice-id hover. */
export function registerLibraryViews(deps: LibraryDeps): vscode.Disposable {
  const { service, library } = deps;
  const voices = new VoicesTreeProvider(library);
  const presets = new PresetsTreeProvider(library);
  let lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  const owned: vscode.Disposable[] = [];
  const ctx: LibraryCommandContext = {
    ...deps,
    voices,
    lastEditor: () => lastEditor,
    own: (d) => owned.push(d),
  };
  const voicesView = vscode.window.createTreeView(VIEWS.voices, {
    treeDataProvider: voices,
    showCollapseAll: false,
    canSelectMany: true,
  });
  // The view's description counts the voices and the running tasks (and names the tag it is filtered by).
  const describe = () => {
    voicesView.description = countDescription(library.items(), voices.tagFilter);
  };
  describe();

  return vscode.Disposable.from(
    voices,
    presets,
    new vscode.Disposable(() => disposeAll(owned.splice(0))),
    voicesView,
    library.onDidChange(describe),
    voices.onDidChangeTreeData(describe),
    vscode.window.createTreeView(VIEWS.presets, { treeDataProvider: presets, canSelectMany: true }),
    registerStatusBar(
      service.history,
      () => service.currentBaseUrl(),
      // A task another window follows is followed too (its lease is live), not idle.
      (id) => service.isFollowing(id) || service.history.leases.holder(id) === 'other',
    ),
    registerVoiceHover(library),
    registerVoiceCompletion(library),
    registerRequestDiagnostics(library),
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (e && e.document.uri.scheme !== 'output') {
        lastEditor = e;
      }
    }),
    vscode.commands.registerCommand(COMMANDS.refreshVoices, () => library.refreshAccount()),
    vscode.commands.registerCommand(COMMANDS.refreshPresets, () => library.refreshPresets()),
    registerLazyCommands(LIBRARY_COMMANDS, async () =>
      (require('./handlers') as typeof import('./handlers')).libraryCommands(ctx),
    ),
  );
}
