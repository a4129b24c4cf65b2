import * as vscode from 'vscode';
import { displayText } from '../shared/displayText';
import * as l10n from '@vscode/l10n';
import type { Voice } from '../kling';
import { VoiceLibrary, isSettled } from './voiceLibrary';

/**
 * Where a voice id is being typed: `"voice_id": "`, `voice_id='`, `voiceId = "` and the like, with what is typed
 * so far (group 1: digits of an id, or words of a voice's name). Only such places get completions.
 */
const VOICE_ID_VALUE = /voice_?id["']?\s*[:=]\s*["'`]?([\w\- ]*)$/i;

/**
 * The documents the hover and the completions serve: any text the user edits, local or remote, notebook cells, and
 * settings/keybindings files (not output channels or other generated views).
 */
export const VOICE_ID_DOCUMENTS: vscode.DocumentSelector = [
  { scheme: 'file' },
  { scheme: 'untitled' },
  { scheme: 'vscode-remote' },
  { scheme: 'vscode-vfs' },
  { scheme: 'vscode-notebook-cell' },
  { scheme: 'vscode-userdata' },
];

/** The voices a completion can offer: the user's finished voices first, then the presets. */
function offered(library: VoiceLibrary): { voice: Voice; mine: boolean }[] {
  const mine = library
    .items()
    .flatMap((i) => (i.status === 'succeed' && i.voice ? [{ voice: i.voice, mine: true }] : []));
  const presets =
    library.presetState.kind === 'loaded' ? library.presetState.items.map((voice) => ({ voice, mine: false })) : [];
  const seen = new Set<string>();
  return [...mine, ...presets].filter((o) => !seen.has(o.voice.voiceId) && seen.add(o.voice.voiceId));
}

/**
 * Completes voice ids where code asks for one (`voice_id` in a Kling request, in any language): the item shows
 * the voice's name and inserts its id. Reads the library's cache; when nothing is loaded yet it loads the lists
 * in the background and marks the list incomplete, so the next keystroke has them.
 */
export function registerVoiceCompletion(library: VoiceLibrary): vscode.Disposable {
  return vscode.languages.registerCompletionItemProvider(
    VOICE_ID_DOCUMENTS,
    {
      provideCompletionItems(document, position) {
        const before = document.lineAt(position.line).text.slice(0, position.character);
        const m = VOICE_ID_VALUE.exec(before);
        if (!m) {
          return undefined;
        }
        const typed = m[1];
        const range = new vscode.Range(position.translate(0, -typed.length), position);
        // A list the service does not offer, or a failed one, is not loading: the history still offers its voices.
        const loading = !isSettled(library.accountState) || !isSettled(library.presetState);
        if (loading) {
          void library.warmUp();
        }
        const items = offered(library).map(({ voice, mine }, index) => {
          const name = displayText(voice.voiceName);
          const item = new vscode.CompletionItem(
            { label: name || voice.voiceId, description: voice.voiceId },
            vscode.CompletionItemKind.Value,
          );
          item.insertText = voice.voiceId;
          item.range = range;
          // Digits narrow by id, words by name; either way the id is what is inserted.
          item.filterText = /^\d*$/.test(typed) ? voice.voiceId : name || voice.voiceId;
          item.sortText = `${mine ? 0 : 1}${String(index).padStart(5, '0')}`;
          const note = library.notes.get(voice.voiceId);
          const tags = note?.tags.map((t) => `#${t}`).join(' ');
          item.detail = `${mine ? l10n.t('My Kling voice') : l10n.t('Kling preset voice')}${tags ? ` ${tags}` : ''}`;
          const doc = new vscode.MarkdownString();
          doc.appendText(
            [
              displayText(voice.voiceName) || l10n.t('(no name)'),
              l10n.t('Voice id {0}', voice.voiceId),
              ...(voice.ownedBy
                ? [
                    l10n.t(
                      'Owner: {0}',
                      voice.ownedBy === 'kling' ? l10n.t('Kling (preset)') : displayText(voice.ownedBy),
                    ),
                  ]
                : []),
              ...(note?.notes ? [note.notes] : []),
            ].join('\n'),
          );
          item.documentation = doc;
          return item;
        });
        return new vscode.CompletionList(items, loading);
      },
    },
    '"',
    "'",
    ':',
    '=',
  );
}
