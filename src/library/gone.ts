import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { Voice } from '../kling';
import type { VoiceLibrary } from './voiceLibrary';

/** What a caller (a test, another extension) may answer instead of the modal: insert anyway, or cancel. */
export type IfGone = 'insert' | 'cancel';

/** A voice of ours that the account no longer lists (deleted elsewhere): see shared/goneVoice.ts. */
export function goneText(): string {
  return l10n.t('No longer in your account: it was deleted, or the account does not list it any more.');
}

/**
 * Before a request with a gone voice is inserted: a modal warning (Insert Anyway / Cancel). Returns the reason when
 * the user (or `ifGone`) declines, undefined to go on. Voices not known to be gone pass without a question.
 */
export async function refuseGoneVoices(
  library: VoiceLibrary,
  voices: readonly Voice[],
  ifGone?: IfGone,
): Promise<string | undefined> {
  const gone = voices.filter((v) => library.isGone(v.voiceId));
  if (!gone.length || ifGone === 'insert') {
    return undefined;
  }
  const names = gone.map((v) => `"${v.voiceName || v.voiceId}"`).join(', ');
  const message = l10n.t(
    'The voice {0} is no longer in your account: Kling will refuse a request with it. Refresh My Voices if it was just created.',
    names,
  );
  if (ifGone === 'cancel') {
    return message;
  }
  const insertAnyway = l10n.t('Insert Anyway');
  let choice: string | undefined;
  try {
    choice = await vscode.window.showWarningMessage(message, { modal: true }, insertAnyway);
  } catch {
    choice = undefined; // a host that cannot show a modal: nothing is inserted
  }
  return choice === insertAnyway ? undefined : message;
}
