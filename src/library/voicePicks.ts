import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { Voice } from '../kling';
import { goneText } from './gone';
import type { VoiceLibrary } from './voiceLibrary';

/** A row of a voice picker: a voice, or the separator before the voices that have gone (no voice). */
export type VoicePick = vscode.QuickPickItem & { voice?: Voice; gone?: boolean };

/** What a picker lists besides the voices created from this account. */
export interface VoicePickOptions {
  /** The preset voices, after the account's (default true). */
  presets?: boolean;
}

/**
 * The voices of this account, split: those that can be used, and those that have gone (see shared/goneVoice.ts).
 * Every list of voices to choose from (the pickers, completion) orders them the same way.
 */
export function ownVoices(library: VoiceLibrary): { live: Voice[]; gone: Voice[] } {
  const live: Voice[] = [];
  const gone: Voice[] = [];
  for (const i of library.items()) {
    if (i.voice && i.status === 'succeed') {
      (i.gone ? gone : live).push(i.voice);
    }
  }
  return { live, gone };
}

/**
 * What a voice picker offers: the voices of this account, then the presets, and last, under a separator, the voices
 * of this account that have gone, marked. They stay findable (a user who sees one in My Voices looks for it here),
 * but never first and never unmarked; a request with one is inserted only after the question of refuseGoneVoices.
 * Undefined, after saying so, when there is no voice at all.
 */
export async function voicePickItems(
  library: VoiceLibrary,
  options: VoicePickOptions = {},
): Promise<VoicePick[] | undefined> {
  await library.warmUp();
  const { live, gone } = ownVoices(library);
  const presets = options.presets !== false && library.presetState.kind === 'loaded' ? library.presetState.items : [];
  const pick = (v: Voice, detail: string): VoicePick => ({
    label: v.voiceName || v.voiceId,
    description: v.voiceId,
    detail,
    voice: v,
  });
  const picks: VoicePick[] = [
    ...live.map((v) => pick(v, l10n.t('My voice'))),
    ...presets.map((v) => pick(v, l10n.t('Preset voice'))),
  ];
  if (gone.length) {
    picks.push(
      { label: l10n.t('No longer in your account'), kind: vscode.QuickPickItemKind.Separator },
      ...gone.map((v) => ({
        ...pick(v, goneText()),
        label: `$(warning) ${v.voiceName || v.voiceId}`,
        gone: true,
      })),
    );
  }
  if (!picks.length) {
    void vscode.window.showInformationMessage(
      l10n.t('No voices are available yet. Create one with "Kling Voice: Create Voice…".'),
    );
    return undefined;
  }
  return picks;
}
