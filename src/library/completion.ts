import * as vscode from 'vscode';
import { displayText } from '../shared/displayText';
import * as l10n from '@vscode/l10n';
import type { Voice } from '../kling';
import { VoiceLibrary, isSettled } from './voiceLibrary';
import { ownVoices } from './voicePicks';
import { goneText } from './gone';

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

interface Offered {
  voice: Voice;
  kind: 'mine' | 'preset' | 'gone';
}

/**
 * The voices a completion can offer, in the pickers' order (voicePicks.ts): the user's finished voices, the presets,
 * and last the user's voices that have gone, marked (struck through, "no longer in your account").
 */
function offered(library: VoiceLibrary): Offered[] {
  const { live, gone } = ownVoices(library);
  const presets = library.presetState.kind === 'loaded' ? library.presetState.items : [];
  const seen = new Set<string>();
  return [
    ...live.map((voice): Offered => ({ voice, kind: 'mine' })),
    ...presets.map((voice): Offered => ({ voice, kind: 'preset' })),
    ...gone.map((voice): Offered => ({ voice, kind: 'gone' })),
  ].filter((o) => !seen.has(o.voice.voiceId) && seen.add(o.voice.voiceId));
}

const ORDER: Record<Offered['kind'], number> = { mine: 0, preset: 1, gone: 2 };

function detailOf(kind: Offered['kind']): string {
  switch (kind) {
    case 'mine':
      return l10n.t('My Kling voice');
    case 'preset':
      return l10n.t('Kling preset voice');
    case 'gone':
      return l10n.t('No longer in your account');
  }
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
        const items = offered(library).map(({ voice, kind }, index) => {
          const name = displayText(voice.voiceName);
          const item = new vscode.CompletionItem(
            { label: name || voice.voiceId, description: voice.voiceId },
            vscode.CompletionItemKind.Value,
          );
          item.insertText = voice.voiceId;
          item.range = range;
          // Digits narrow by id, words by name; either way the id is what is inserted.
          item.filterText = /^\d*$/.test(typed) ? voice.voiceId : name || voice.voiceId;
          item.sortText = `${ORDER[kind]}${String(index).padStart(5, '0')}`;
          if (kind === 'gone') {
            item.tags = [vscode.CompletionItemTag.Deprecated];
          }
          const note = library.notes.get(voice.voiceId);
          const tags = note?.tags.map((t) => `#${t}`).join(' ');
          item.detail = `${detailOf(kind)}${tags ? ` ${tags}` : ''}`;
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
              ...(kind === 'gone' ? [goneText()] : []),
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
