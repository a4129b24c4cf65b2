// The language-model tools' implementations by name (loaded on first use: see ./register.ts and src/lazy.ts).
import type * as vscode from 'vscode';
import { TOOLS } from '../ids';
import type { ToolDeps } from './common';
import { checkSampleTool } from './checkSample';
import { listVoicesTool } from './listVoices';
import { createVoiceTool } from './createVoice';
import { insertRequestTool } from './insertRequest';
import { deleteVoiceTool } from './deleteVoice';

export type ToolName = (typeof TOOLS)[keyof typeof TOOLS];

/** The tool objects by name (what vscode.lm.registerTool gets); tests call their prepareInvocation directly. */
export function createTools(deps: ToolDeps): Record<ToolName, vscode.LanguageModelTool<never>> {
  return {
    [TOOLS.checkSample]: checkSampleTool(deps),
    [TOOLS.listVoices]: listVoicesTool(deps),
    [TOOLS.createVoice]: createVoiceTool(deps),
    [TOOLS.insertRequest]: insertRequestTool(deps),
    [TOOLS.deleteVoice]: deleteVoiceTool(deps),
  } as Record<ToolName, vscode.LanguageModelTool<never>>;
}
