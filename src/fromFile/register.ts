// Registers the Explorer / editor command "Create Kling Voice from File…", the upload-credential commands, and the
// deletes of uploaded samples an earlier window left. What they run (./command, ./pendingDeletes, the upload
// providers, the audio checks) is loaded on first use: dist/features.js, see tools/build/features.mjs.
import * as vscode from 'vscode';
import { COMMANDS, STATE_KEYS } from '../ids';
import type { FromFileDeps } from './types';
import { registerLazyCommands } from '../lazy';

/** True when globalState lists samples still to delete (read without loading ./pendingDeletes). */
function hasPendingDeletes(deps: FromFileDeps): boolean {
  const raw = deps.context.globalState.get<unknown>(STATE_KEYS.pendingDeletes);
  return Array.isArray(raw) && raw.length > 0;
}

/** Finishes the deletes an earlier window left, now and whenever the history shows a task ended. */
export function registerPendingDeletes(deps: FromFileDeps): vscode.Disposable {
  const pending = async () => (require('./pendingDeletes') as typeof import('./pendingDeletes')).pendingDeletesOf(deps);
  if (hasPendingDeletes(deps)) {
    void pending().then((p) => p.resume());
  }
  return deps.service.history.onDidChange(() => {
    if (hasPendingDeletes(deps)) {
      void pending().then((p) => p.onHistoryChanged());
    }
  });
}

export function registerFromFileCommands(deps: FromFileDeps): vscode.Disposable {
  return vscode.Disposable.from(
    registerLazyCommands(
      [COMMANDS.createVoiceFromFile, COMMANDS.setUploadCredentials, COMMANDS.clearUploadCredentials],
      async () => {
        const command = require('./command') as typeof import('./command');
        return {
          [COMMANDS.createVoiceFromFile]: (...args: unknown[]) => command.createVoiceFromFileCommand(deps, ...args),
          [COMMANDS.setUploadCredentials]: (args?: unknown) => command.setUploadCredentialsCommand(deps, args),
          [COMMANDS.clearUploadCredentials]: () => command.clearUploadCredentialsCommand(deps),
        };
      },
    ),
    // Samples an earlier window could not delete before it closed (deleteAfterTask) are deleted now or when their task ends.
    registerPendingDeletes(deps),
  );
}
