// Registers the language-model tools (contributes.languageModelTools) that agents call: check a sample, list voices,
// create a voice, insert a request that uses one, delete one. Each goes through the service paths of the UI.
import * as vscode from 'vscode';
import { TOOLS } from '../ids';
import type { ToolDeps } from './common';
import { checkSampleTool } from './checkSample';
import { listVoicesTool } from './listVoices';
import { createVoiceTool } from './createVoice';
import { insertRequestTool } from './insertRequest';
import { deleteVoiceTool } from './deleteVoice';

export type { ToolDeps, VoiceNotes } from './common';

/** The tool objects by name (what vscode.lm.registerTool gets); tests call their prepareInvocation directly. */
export function createTools(
  deps: ToolDeps,
): Record<(typeof TOOLS)[keyof typeof TOOLS], vscode.LanguageModelTool<never>> {
  return {
    [TOOLS.checkSample]: checkSampleTool(deps),
    [TOOLS.listVoices]: listVoicesTool(deps),
    [TOOLS.createVoice]: createVoiceTool(deps),
    [TOOLS.insertRequest]: insertRequestTool(deps),
    [TOOLS.deleteVoice]: deleteVoiceTool(deps),
  } as Record<(typeof TOOLS)[keyof typeof TOOLS], vscode.LanguageModelTool<never>>;
}

/** Registers every tool; the text editor used last is tracked for the insert tool (the chat view has the focus). */
export function registerAgentTools(deps: Omit<ToolDeps, 'isTrusted' | 'lastEditor'>): vscode.Disposable {
  let lastEditor = vscode.window.activeTextEditor;
  const tools = createTools({ ...deps, isTrusted: () => vscode.workspace.isTrusted, lastEditor: () => lastEditor });
  return vscode.Disposable.from(
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (e) {
        lastEditor = e;
      }
    }),
    ...Object.entries(tools).map(([name, tool]) => vscode.lm.registerTool(name, tool)),
  );
}
