// #klingVoices: the voices an agent can use, from the same library as My Voices and Preset Voices.
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import type { LibraryItem, LoadState } from '../library/voiceLibrary';
import type { Voice } from '../kling';
import { errorValue, jsonResult, type ToolDeps } from './common';
import { text } from './checkSample';
import { goneText } from '../library/gone';

export interface ListVoicesInput {
  include?: 'all' | 'own' | 'presets';
  query?: string;
}

function matches(query: string | undefined, ...fields: (string | undefined)[]): boolean {
  const q = query?.toLowerCase();
  return !q || fields.some((f) => f?.toLowerCase().includes(q));
}

/** Why a list is missing, as the views say it. */
function listProblem(state: LoadState<unknown>): string | undefined {
  switch (state.kind) {
    case 'nokey':
      return l10n.t(
        "No API key is set: ask the user to run 'Kling Voice: Set API Key'. Only the voices created in VS Code are listed.",
      );
    case 'unsupported':
      return l10n.t('This service does not list voices ({0}): showing the voices created in VS Code.', state.message);
    case 'error':
      return state.message;
    default:
      return undefined;
  }
}

function ownVoice(deps: ToolDeps, i: LibraryItem): object {
  const local = i.voice ? deps.notes?.notesFor(i.voice.voiceId) : undefined;
  return {
    voiceId: i.voice?.voiceId,
    voiceName: i.voice?.voiceName || i.voiceName,
    status: i.status,
    statusMessage: i.statusMessage,
    taskId: i.taskId,
    trialUrl: i.voice?.trialUrl,
    createdAt: i.createdAt ? new Date(i.createdAt).toISOString() : undefined,
    sample: i.source ? sourceText(i.source) : undefined,
    createdInVsCode: i.localOnly || i.source !== undefined,
    // A voice of this account that the account no longer lists: Kling refuses a request with it.
    gone: i.gone || undefined,
    goneNote: i.gone ? goneText() : undefined,
    notes: local?.notes,
    tags: local?.tags,
  };
}

function sourceText(source: NonNullable<LibraryItem['source']>): string {
  switch (source.kind) {
    case 'url':
      return source.url;
    case 'video':
      return l10n.t('Kling video {0}', source.videoId);
    case 'file':
      return source.fileName;
  }
}

function preset(v: Voice): object {
  return { voiceId: v.voiceId, voiceName: v.voiceName, trialUrl: v.trialUrl };
}

/** Loads the lists (as the views do, through the library's cache and its refresh), then answers from it. */
export async function listVoices(deps: ToolDeps, input: ListVoicesInput): Promise<object> {
  const include = input.include === 'own' || input.include === 'presets' ? input.include : 'all';
  const query = text(input.query);
  const out: Record<string, unknown> = { ok: true };
  if (include !== 'presets') {
    await deps.library.refreshAccount();
    // The pickers' order: the voices that have gone come last (see library/voicePicks.ts).
    const items = deps.library.items();
    out.ownVoices = [...items.filter((i) => !i.gone), ...items.filter((i) => i.gone)]
      .filter((i) => matches(query, i.voiceName, i.voice?.voiceName, i.voice?.voiceId))
      .map((i) => ownVoice(deps, i));
    out.ownVoicesNote = listProblem(deps.library.accountState);
  }
  if (include !== 'own') {
    await deps.library.refreshPresets();
    const state = deps.library.presetState;
    out.presetVoices =
      state.kind === 'loaded' ? state.items.filter((v) => matches(query, v.voiceName, v.voiceId)).map(preset) : [];
    out.presetVoicesNote = listProblem(state);
  }
  return out;
}

export function listVoicesTool(deps: ToolDeps): vscode.LanguageModelTool<ListVoicesInput> {
  return {
    prepareInvocation: () => ({ invocationMessage: l10n.t('Listing Kling voices') }),
    invoke: async ({ input }) => {
      try {
        return await jsonResult(deps, await listVoices(deps, input ?? {}));
      } catch (e) {
        return jsonResult(deps, errorValue(e));
      }
    },
  };
}
