import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import type { Voice } from '../kling';
import type { VoiceLibrary } from './voiceLibrary';

export type VoicePick = vscode.QuickPickItem & { voice: Voice };

/**
 * What a voice picker offers: the voices created from this account, then the presets. Undefined, after saying so,
 * when there is none yet.
 */
export async function voicePickItems(library: VoiceLibrary): Promise<VoicePick[] | undefined> {
  await library.warmUp();
  const own = library.items().flatMap((i) => (i.voice && i.status === 'succeed' ? [i.voice] : []));
  const presets = library.presetState.kind === 'loaded' ? library.presetState.items : [];
  const pick = (v: Voice, detail: string): VoicePick => ({
    label: v.voiceName || v.voiceId,
    description: v.voiceId,
    detail,
    voice: v,
  });
  const picks = [
    ...own.map((v) => pick(v, l10n.t('My voice'))),
    ...presets.map((v) => pick(v, l10n.t('Preset voice'))),
  ];
  if (!picks.length) {
    void vscode.window.showInformationMessage(
      l10n.t('No voices are available yet. Create one with "Kling Voice: Create Voice…".'),
    );
    return undefined;
  }
  return picks;
}
