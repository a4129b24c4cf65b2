import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { readSettings } from '../config';
import type { Voice } from '../kling';
import { insertText, type InsertFormat } from './insert';
import { buildVideoRequest, videoRequestText, videoTarget, VIDEO_TARGETS, type VideoTarget } from './requests';
import type { VoiceLibrary } from './voiceLibrary';
import { refuseGoneVoices, type IfGone } from './gone';
import { voicePickItems } from './voicePicks';

/** Options a caller (a test, a keybinding, another extension) may pass instead of answering the pickers. */
export interface UseVoiceOptions {
  target?: string;
  format?: InsertFormat;
  /** 'cursor' (the editor in use, the default when there is one) or 'newEditor'. */
  where?: 'cursor' | 'newEditor';
  /** A voice no longer in the account: 'insert' anyway or 'cancel' (default: ask with a modal warning). */
  ifGone?: IfGone;
}

/** What the command did: the text inserted (undefined when cancelled or refused, with the reason shown). */
export interface UseVoiceResult {
  text?: string;
  refused?: string;
}

interface NodeLike {
  voice?: Voice;
}

function voiceOf(v: unknown, library: VoiceLibrary): Voice | undefined {
  if (typeof v === 'string' && v.trim()) {
    return library.findVoice(v.trim()) ?? { voiceId: v.trim(), voiceName: '' };
  }
  if (typeof v === 'object' && v !== null) {
    const node = v as NodeLike & Partial<Voice>;
    if (node.voice && typeof node.voice.voiceId === 'string') {
      return node.voice;
    }
    if (typeof node.voiceId === 'string' && node.voiceId) {
      return { voiceId: node.voiceId, voiceName: typeof node.voiceName === 'string' ? node.voiceName : '' };
    }
  }
  return undefined;
}

/**
 * The voices a call names: the tree's selection (several with multi-select), a voice id, a list of ids or voices.
 * Running tasks and message rows carry no voice and are left out.
 */
function voicesFromArgs(arg: unknown, second: unknown, library: VoiceLibrary): Voice[] {
  const many = Array.isArray(second) && second.length ? second : Array.isArray(arg) ? arg : [arg];
  const seen = new Set<string>();
  return many
    .map((v) => voiceOf(v, library))
    .filter((v): v is Voice => !!v && !seen.has(v.voiceId) && !!seen.add(v.voiceId));
}

async function pickVoices(library: VoiceLibrary): Promise<Voice[]> {
  const picks = await voicePickItems(library);
  if (!picks) {
    return [];
  }
  const picked = await vscode.window.showQuickPick(picks, {
    title: l10n.t('Use which voices? (select up to 3)'),
    canPickMany: true,
    matchOnDescription: true,
  });
  return (picked ?? []).flatMap((p) => (p.voice ? [p.voice] : []));
}

async function pickTarget(count: number): Promise<VideoTarget | undefined> {
  const items = VIDEO_TARGETS.map((t) => ({
    label: t.preview ? `$(beaker) ${t.label}` : t.label,
    description: t.description,
    detail:
      count > t.maxVoices ? l10n.t('Takes {0} voice(s) per request; {1} are selected.', t.maxVoices, count) : undefined,
    target: t,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title:
      count === 1
        ? l10n.t('Use this voice with which Kling model?')
        : l10n.t('Use these {0} voices with which Kling model?', count),
    matchOnDescription: true,
  });
  return picked?.target;
}

async function pickFormat(target: VideoTarget): Promise<InsertFormat | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: l10n.t('JSON body'), description: l10n.t('for POST {0}', target.path), format: 'json' as const },
      {
        label: l10n.t('curl command'),
        description: l10n.t('reads the key from {0}', '$KLING_API_KEY'),
        format: 'curl' as const,
      },
    ],
    { title: target.label },
  );
  return picked?.format;
}

async function pickWhere(): Promise<'cursor' | 'newEditor' | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: l10n.t('Insert at the cursor'), where: 'cursor' as const },
      { label: l10n.t('Open in a new editor'), where: 'newEditor' as const },
    ],
    { title: l10n.t('Where should the request go?') },
  );
  return picked?.where;
}

async function openInNewEditor(text: string, format: InsertFormat): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({
    language: format === 'json' ? 'json' : 'shellscript',
    content: text,
  });
  await vscode.window.showTextDocument(doc);
}

/**
 * "Use This Voice…": the voices (the selection, or picked), the target model, JSON or curl, and where it goes.
 * More voices than the model takes are refused with the reason; nothing is inserted then.
 */
export function useVoiceCommand(library: VoiceLibrary, lastEditor: () => vscode.TextEditor | undefined) {
  return async (arg?: unknown, second?: unknown): Promise<UseVoiceResult> => {
    const options: UseVoiceOptions =
      typeof second === 'object' && second !== null && !Array.isArray(second) ? (second as UseVoiceOptions) : {};
    let voices = voicesFromArgs(arg, Array.isArray(second) ? second : undefined, library);
    if (!voices.length) {
      voices = await pickVoices(library);
    }
    if (!voices.length) {
      return {};
    }
    const gone = await refuseGoneVoices(library, voices, options.ifGone);
    if (gone) {
      return { refused: gone };
    }
    const target = (options.target ? videoTarget(options.target) : undefined) ?? (await pickTarget(voices.length));
    if (!target) {
      return {};
    }
    const built = buildVideoRequest(target, voices);
    if (!built.ok) {
      void vscode.window.showWarningMessage(built.message);
      return { refused: built.message };
    }
    const format = options.format ?? (await pickFormat(target));
    if (!format) {
      return {};
    }
    const text = videoRequestText(target, voices, format, readSettings().apiBaseUrl);
    if (!text.ok) {
      return { refused: text.message };
    }
    const editor = vscode.window.activeTextEditor ?? lastEditor();
    const where = options.where ?? (editor ? await pickWhere() : 'newEditor');
    if (!where) {
      return {};
    }
    if (where === 'newEditor') {
      await openInNewEditor(text.text, format);
    } else {
      await insertText(text.text, format, lastEditor());
    }
    return { text: text.text };
  };
}
