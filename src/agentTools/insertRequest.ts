// #klingInsertRequest: the snippet command's request (library/snippet.ts), inserted where the user works; the agent
// gets the same text back.
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import { readSettings } from '../config';
import { snippetText, type SnippetFormat } from '../library/snippet';
import { insertText } from '../library/insert';
import type { Voice } from '../kling';
import { errorValue, jsonResult, refusal, type ToolDeps } from './common';
import { text } from './checkSample';
import { refuseGoneVoices } from '../library/gone';

export interface InsertRequestInput {
  voiceId: string;
  format?: SnippetFormat;
}

/**
 * The request text for a voice. One function for every kind of request the tool can write, so another target
 * (another model or endpoint) is a new case here and a new enum value in the tool's input schema.
 */
export function requestText(voice: Pick<Voice, 'voiceId' | 'voiceName'>, format: SnippetFormat): string {
  return snippetText(voice, format, readSettings().apiBaseUrl);
}

export async function insertRequest(deps: ToolDeps, input: InsertRequestInput | undefined): Promise<object> {
  const voiceId = text(input?.voiceId);
  if (!voiceId || !/^\S+$/.test(voiceId)) {
    return refusal(l10n.t('Give the voiceId of the voice (from the list-voices or create-voice tool).'));
  }
  const format: SnippetFormat = input?.format === 'curl' ? 'curl' : 'json';
  // The name only makes the prompt friendlier: from the lists already loaded, without a request.
  const known = deps.library.findVoice(voiceId);
  const snippet = requestText({ voiceId, voiceName: known?.voiceName ?? '' }, format);
  // A voice that has gone: the same question as Insert Snippet and Use This Voice (the user may still insert it).
  const gone = await refuseGoneVoices(deps.library, [{ voiceId, voiceName: known?.voiceName ?? '' }]);
  if (gone) {
    return { ...refusal(gone), voiceId, gone: true };
  }
  try {
    const inserted = await insertText(snippet, format, deps.lastEditor());
    return {
      ok: inserted,
      voiceId,
      voiceName: known?.voiceName,
      format,
      inserted,
      text: snippet,
      note: known
        ? undefined
        : l10n.t(
            'This voice id is not in the voice lists loaded so far; check it with the list-voices tool if unsure.',
          ),
    };
  } catch (e) {
    return { ...errorValue(e), text: snippet };
  }
}

export function insertRequestTool(deps: ToolDeps): vscode.LanguageModelTool<InsertRequestInput> {
  return {
    prepareInvocation: ({ input }) => ({
      invocationMessage: l10n.t('Inserting a Kling video request for voice {0}', input?.voiceId ?? ''),
    }),
    invoke: async ({ input }) => jsonResult(deps, await insertRequest(deps, input)),
  };
}
