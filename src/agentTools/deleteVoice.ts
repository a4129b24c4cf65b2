// #klingDeleteVoice: VoiceService.deleteVoice, the path of Delete Voice… in My Voices, always confirmed first.
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import { UNTRUSTED_MESSAGE, errorValue, jsonResult, refusal, type ToolDeps } from './common';
import { text } from './checkSample';

export interface DeleteVoiceInput {
  voiceId: string;
}

export function prepareDelete(deps: ToolDeps, input: DeleteVoiceInput | undefined): vscode.PreparedToolInvocation {
  const voiceId = text(input?.voiceId);
  if (!deps.isTrusted()) {
    return { invocationMessage: l10n.t('Kling voices cannot be deleted in an untrusted workspace') };
  }
  // Confirmed always, even for an id that looks wrong: whatever id reaches the service is deleted.
  const name = voiceId ? deps.library.findVoice(voiceId)?.voiceName : undefined;
  const label = name ? l10n.t('"{0}"', name) : (voiceId ?? l10n.t('(no id given)'));
  return {
    invocationMessage: l10n.t('Deleting the Kling voice {0}', label),
    confirmationMessages: {
      title: l10n.t('Delete the Kling voice {0}?', label),
      message: l10n.t(
        'Voice id {0}. Videos already made keep their sound, but the id can no longer be used. This cannot be undone.',
        voiceId ?? l10n.t('(none)'),
      ),
    },
  };
}

export async function invokeDelete(deps: ToolDeps, input: DeleteVoiceInput | undefined): Promise<object> {
  if (!deps.isTrusted()) {
    return refusal(UNTRUSTED_MESSAGE());
  }
  const voiceId = text(input?.voiceId);
  if (!voiceId || !/^\S+$/.test(voiceId)) {
    return refusal(l10n.t('Give the voiceId of the voice to delete (from the list-voices tool). Nothing was deleted.'));
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
