// Registers the language-model tools (contributes.languageModelTools) that agents call: check a sample, list voices,
// create a voice, insert a request that uses one, delete one. Each goes through the service paths of the UI. Their
// code (./tools) is loaded on a tool's first use.
import * as vscode from 'vscode';
import { TOOLS } from '../ids';
import { lazyTool, once } from '../lazy';
import type { ToolDeps } from './common';

export type { ToolDeps, VoiceNotes } from './common';

/** Registers every tool; the text editor used last is tracked for the insert tool (the chat view has the focus). */
export function registerAgentTools(deps: Omit<ToolDeps, 'isTrusted' | 'lastEditor'>): vscode.Disposable {
  let lastEditor = vscode.window.activeTextEditor;
  const tools = once(async () =>
    (require('./tools') as typeof import('./tools')).createTools({
      ...deps,
      isTrusted: () => vscode.workspace.isTrusted,
      lastEditor: () => lastEditor,
    }),
  );
  return vscode.Disposable.from(
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (e) {
        lastEditor = e;
      }
    }),
    ...Object.values(TOOLS).map((name) =>
      vscode.lm.registerTool(
        name,
        lazyTool(async () => (await tools())[name]),
      ),
    ),
  );
}
