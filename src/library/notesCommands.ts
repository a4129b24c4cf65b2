// Local notes and tags of voices: edit them, filter My Voices by a tag, export them to a JSON file a team can commit
// and import it again.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { COMMANDS, CONTEXT_KEYS } from '../ids';
import type { ConsentRecord } from '../shared/consent';
import { buildNotesFile, cleanNotes, parseNotesFile, parseTags, type VoiceNote } from '../shared/voiceNotes';
import { showError } from '../ui/notify';
import type { VoiceLibrary } from './voiceLibrary';
import { voicePickItems } from './voicePicks';
import type { VoicesTreeProvider } from './trees';

export interface NotesCommandDeps {
  library: VoiceLibrary;
  tree: VoicesTreeProvider;
  log: vscode.LogOutputChannel;
}

/** The voice a command was called for: a My Voices node or a voice id. */
function voiceOf(library: VoiceLibrary, arg: unknown): { voiceId: string; voiceName: string } | undefined {
  const node = arg as { voice?: { voiceId?: unknown; voiceName?: unknown } } | undefined;
  const id = typeof arg === 'string' ? arg.trim() : typeof node?.voice?.voiceId === 'string' ? node.voice.voiceId : '';
  if (!id) {
    return undefined;
  }
  return { voiceId: id, voiceName: library.findVoice(id)?.voiceName ?? '' };
}

/** "Edit Voice Notes…": two input boxes (notes, then tags); Escape on either changes nothing. */
async function editNotes(library: VoiceLibrary, arg: unknown, values?: unknown): Promise<VoiceNote | undefined> {
  let target = voiceOf(library, arg);
  if (!target) {
    // The same list as every voice picker, without the presets (notes are for your own voices).
    const picks = await voicePickItems(library, { presets: false });
    const picked =
      picks && (await vscode.window.showQuickPick(picks, { title: l10n.t('Edit the notes of which voice?') }));
    target = picked?.voice && { voiceId: picked.voice.voiceId, voiceName: picked.voice.voiceName };
  }
  if (!target) {
    return undefined;
  }
  const old = library.notes.get(target.voiceId);
  const given = values as { notes?: unknown; tags?: unknown } | undefined;
  const label = target.voiceName || target.voiceId;
  const notes =
    given && typeof given === 'object'
      ? given.notes
      : await vscode.window.showInputBox({
          title: l10n.t('Notes of "{0}" (1/2)', label),
          prompt: l10n.t(
            'A description only you (and your team, through Export Voice Notes) see: what the voice is for, how it sounds.',
          ),
          value: old?.notes ?? '',
          ignoreFocusOut: true,
        });
  if (notes === undefined) {
    return undefined;
  }
  const tags =
    given && typeof given === 'object'
      ? given.tags
      : await vscode.window.showInputBox({
          title: l10n.t('Tags of "{0}" (2/2)', label),
          prompt: l10n.t('Tags separated by commas: language, gender, use (e.g. en, female, narration).'),
          value: (old?.tags ?? []).join(', '),
          ignoreFocusOut: true,
        });
  if (tags === undefined) {
    return undefined;
  }
  const note: VoiceNote = {
    voiceId: target.voiceId,
    voiceName: target.voiceName || undefined,
    notes: cleanNotes(notes),
    tags: parseTags(tags),
    updatedAt: Date.now(),
  };
  await library.notes.set(note);
  return note;
}

async function setFilter(tree: VoicesTreeProvider, tag: string | undefined): Promise<void> {
  tree.setTagFilter(tag);
  await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.voicesFiltered, tag !== undefined);
}

async function filterByTag(library: VoiceLibrary, tree: VoicesTreeProvider, arg: unknown): Promise<string | undefined> {
  let tag = typeof arg === 'string' ? parseTags(arg)[0] : undefined;
  if (!tag) {
    const tags = library.notes.tags();
    if (!tags.length) {
      void vscode.window.showInformationMessage(
        l10n.t('No voice has tags yet: add some with "Edit Voice Notes…" in the context menu of My Voices.'),
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      tags.map((t) => ({
        label: `#${t.tag}`,
        description: t.count === 1 ? l10n.t('1 voice') : l10n.t('{0} voices', t.count),
        tag: t.tag,
      })),
      { title: l10n.t('Show only the voices with this tag') },
    );
    tag = picked?.tag;
  }
  if (tag) {
    await setFilter(tree, tag);
  }
  return tag;
}

/** The consent record of each voice this machine created, by voice id. */
function consentsByVoice(library: VoiceLibrary): { consents: Map<string, ConsentRecord>; names: Map<string, string> } {
  const consents = new Map<string, ConsentRecord>();
  const names = new Map<string, string>();
  for (const i of library.items()) {
    if (i.voice) {
      names.set(i.voice.voiceId, i.voice.voiceName || i.voiceName);
      const c = library.consentFor(i.taskId);
      if (c) {
        consents.set(i.voice.voiceId, c);
      }
    }
  }
  return { consents, names };
}

function defaultUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder && vscode.Uri.joinPath(folder, 'kling-voice-notes.json');
}

async function exportNotes(library: VoiceLibrary, arg: unknown): Promise<vscode.Uri | undefined> {
  const uri =
    arg instanceof vscode.Uri
      ? arg
      : await vscode.window.showSaveDialog({
          title: l10n.t('Export Voice Notes'),
          defaultUri: defaultUri(),
          filters: { JSON: ['json'] },
        });
  if (!uri) {
    return undefined;
  }
  const { consents, names } = consentsByVoice(library);
  const file = buildNotesFile(library.notes.all(), consents, names);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(file, undefined, 2)}\n`));
  const n = file.voices.length;
  void vscode.window.showInformationMessage(
    n === 1
      ? l10n.t('Exported the notes of 1 voice (ids, names, notes, tags, consent records; no key, no sample URL query).')
      : l10n.t(
          'Exported the notes of {0} voices (ids, names, notes, tags, consent records; no key, no sample URL query).',
          n,
        ),
  );
  return uri;
}

async function importNotes(
  deps: NotesCommandDeps,
  arg: unknown,
): Promise<{ notes: number; consents: number } | undefined> {
  const { library } = deps;
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      title: l10n.t('Import Voice Notes'),
      defaultUri: defaultUri(),
      canSelectMany: false,
      filters: { JSON: ['json'] },
    });
    uri = picked?.[0];
  }
  if (!uri) {
    return undefined;
  }
  const parsed = parseNotesFile(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  const notes = await library.notes.merge(parsed.notes);
  let consents = 0;
  // Consent records are kept per task (the exporting machine's task id, the same in a shared account).
  for (const { record } of parsed.consents) {
    if (record.taskId && (await library.importConsent(record))) {
      consents++;
    }
  }
  deps.log.info(
    `imported voice notes from ${uri.toString()}: ${notes} note(s), ${consents} consent record(s), ${parsed.skipped} skipped`,
  );
  const notesText = notes === 1 ? l10n.t('1 note') : l10n.t('{0} notes', notes);
  const consentsText = consents === 1 ? l10n.t('1 consent record') : l10n.t('{0} consent records', consents);
  void vscode.window.showInformationMessage(
    parsed.skipped
      ? l10n.t('Imported {0} and {1} ({2} unreadable entries skipped).', notesText, consentsText, parsed.skipped)
      : l10n.t('Imported {0} and {1}.', notesText, consentsText),
  );
  return { notes, consents };
}

/** The notes commands, for the library's command table. */
export function notesCommands(deps: NotesCommandDeps) {
  const { library, tree, log } = deps;
  const guarded =
    <T>(what: string, fn: (...args: unknown[]) => Promise<T>) =>
    async (...args: unknown[]): Promise<T | undefined> => {
      try {
        return await fn(...args);
      } catch (e) {
        void showError(e, log, what);
        return undefined;
      }
    };
  return {
    [COMMANDS.editVoiceNotes]: guarded(l10n.t('Could not save the notes'), (arg, values) =>
      editNotes(library, arg, values),
    ),
    [COMMANDS.filterVoicesByTag]: (arg?: unknown) => filterByTag(library, tree, arg),
    [COMMANDS.clearVoiceFilter]: () => setFilter(tree, undefined),
    [COMMANDS.exportVoiceNotes]: guarded(l10n.t('Could not export the voice notes'), (arg) =>
      exportNotes(library, arg),
    ),
    [COMMANDS.importVoiceNotes]: guarded(l10n.t('Could not import the voice notes'), (arg) => importNotes(deps, arg)),
  };
}
