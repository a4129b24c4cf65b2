// Registers the palette commands. Their code (./palette, ./wizard) is loaded on first use (see src/lazy.ts).
import * as vscode from 'vscode';
import { COMMANDS } from '../ids';
import { registerLazyCommands } from '../lazy';

import type { CommandDeps } from './palette';

const PALETTE_COMMANDS = [
  COMMANDS.setApiKey,
  COMMANDS.clearApiKey,
  COMMANDS.resumeTasks,
  COMMANDS.cancelTasks,
  COMMANDS.createVoice,
  COMMANDS.checkTask,
  COMMANDS.listPresetVoices,
  COMMANDS.deleteVoice,
  COMMANDS.copyDiagnostics,
] as const;

/** Registers the palette commands; returns one Disposable for all of them. */
export function registerCommands(deps: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.showLog, () => deps.log.show()),
    registerLazyCommands(PALETTE_COMMANDS, async () =>
      (require('./palette') as typeof import('./palette')).paletteCommands(deps),
    ),
  );
}
