import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { VOICE_ID_DOCUMENTS } from './completion';
import { VoiceLibrary } from './voiceLibrary';
import { COMMANDS } from '../ids';
import { displayText } from '../shared/displayText';
import { noteSummary } from '../shared/voiceNotes';
import { goneText } from './gone';

const ID_RE = /\d{12,24}/;

/** Hover on a voice id in any editor: name, owner and a link to its trial audio. Reads the cache; never blocks on the network. */
export function registerVoiceHover(library: VoiceLibrary): vscode.Disposable {
  return vscode.languages.registerHoverProvider(VOICE_ID_DOCUMENTS, {
    provideHover(document, position) {
      const range = document.getWordRangeAtPosition(position, ID_RE);
      if (!range) {
        return undefined;
      }
      const id = document.getText(range);
      const voice = library.findVoice(id);
      if (!voice) {
        // Not loaded yet: load the lists in the background so the next hover can answer, but only for a number
        // on a line that talks about a voice, so hovering timestamps or other ids never causes a request.
        if (/voice/i.test(document.lineAt(position.line).text)) {
          void library.warmUp();
        }
        return undefined;
      }
      const md = new vscode.MarkdownString(undefined, true);
      // Only the command links below run; every piece of server data goes in through appendText, cleaned.
      md.isTrusted = { enabledCommands: [COMMANDS.playTrial, COMMANDS.copyVoiceId, COMMANDS.useVoice] };
      md.appendMarkdown(`$(unmute) **${l10n.t('Kling voice')}** `)
        .appendText(displayText(voice.voiceName) || l10n.t('(no name)'))
        .appendMarkdown('\n\n');
      md.appendText(
        l10n.t(
          'Owner: {0}',
          voice.ownedBy === 'kling' ? l10n.t('Kling (preset)') : displayText(voice.ownedBy) || l10n.t('unknown'),
        ),
      ).appendMarkdown('\n\n');
      if (library.isGone(voice.voiceId)) {
        md.appendMarkdown('$(warning) ').appendText(goneText()).appendMarkdown('\n\n');
      }
      const note = library.notes.get(voice.voiceId);
      if (note) {
        md.appendText(noteSummary(note, 200)).appendMarkdown('\n\n');
      }
      const arg = encodeURIComponent(JSON.stringify([voice.voiceId]));
      if (voice.trialUrl) {
        md.appendMarkdown(`[$(play) ${l10n.t('Play trial audio')}](command:${COMMANDS.playTrial}?${arg}) · `);
      }
      md.appendMarkdown(`[$(copy) ${l10n.t('Copy id')}](command:${COMMANDS.copyVoiceId}?${arg}) · `);
      md.appendMarkdown(`[$(play-circle) ${l10n.t('Use this voice…')}](command:${COMMANDS.useVoice}?${arg})`);
      return new vscode.Hover(md, range);
    },
  });
}
