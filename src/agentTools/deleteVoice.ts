// #klingDeleteVoice: VoiceService.deleteVoice, the path of Delete Voice… in My Voices, always confirmed first.
import type * as vscode from 'vscode';
import { UNTRUSTED_MESSAGE, errorValue, jsonResult, refusal, type ToolDeps } from './common';
import { text } from './checkSample';

export interface DeleteVoiceInput {
  voiceId: string;
}

export function prepareDelete(deps: ToolDeps, input: DeleteVoiceInput | undefined): vscode.PreparedToolInvocation {
  const voiceId = text(input?.voiceId);
  if (!deps.isTrusted()) {
    return { invocationMessage: 'Kling voices cannot be deleted in an untrusted workspace' };
  }
  // Confirmed always, even for an id that looks wrong: whatever id reaches the service is deleted.
  const name = voiceId ? deps.library.findVoice(voiceId)?.voiceName : undefined;
  const label = name ? `"${name}"` : (voiceId ?? '(no id given)');
  return {
    invocationMessage: `Deleting the Kling voice ${label}`,
    confirmationMessages: {
      title: `Delete the Kling voice ${label}?`,
      message: `Voice id ${voiceId ?? '(none)'}. Videos already made keep their sound, but the id can no longer be used. This cannot be undone.`,
    },
  };
}

export async function invokeDelete(deps: ToolDeps, input: DeleteVoiceInput | undefined): Promise<object> {
  if (!deps.isTrusted()) {
    return refusal(UNTRUSTED_MESSAGE);
  }
  const voiceId = text(input?.voiceId);
  if (!voiceId || !/^\S+$/.test(voiceId)) {
    return refusal('Give the voiceId of the voice to delete (from the list-voices tool). Nothing was deleted.');
  }
  const name = deps.library.findVoice(voiceId)?.voiceName;
  try {
    await deps.service.deleteVoice(voiceId);
    return { ok: true, deleted: voiceId, voiceName: name };
  } catch (e) {
    return { ...errorValue(e), voiceId };
  }
}

export function deleteVoiceTool(deps: ToolDeps): vscode.LanguageModelTool<DeleteVoiceInput> {
  return {
    prepareInvocation: ({ input }) => prepareDelete(deps, input),
    invoke: async ({ input }) => jsonResult(deps, await invokeDelete(deps, input)),
  };
}
