import * as l10n from '@vscode/l10n';
/**
 * Checks Kling video requests written in code (JSON, JS/TS objects, Python dicts) for what Kling would refuse about
 * their voices: more voices than the model takes, a voice id that is not in the account or the presets, a prompt
 * reference (`<<<voice_3>>>`, `@narrator`) with no matching entry, and `settings.audio: "off"` with a voice.
 * Pure and tolerant: it reads the text with a small scanner (strings, comments, brackets), never evaluates it, and
 * says nothing about text it cannot follow. Limits: kling-api.md §6 and kling-voice-2026-12.md §1.1.
 */

export type CheckLanguage = 'json' | 'js' | 'python';

export interface RequestFix {
  title: string;
  start: number;
  end: number;
  newText: string;
}

export interface RequestProblem {
  start: number;
  end: number;
  message: string;
  code: 'tooManyVoices' | 'unknownVoice' | 'unknownReference' | 'audioOff';
  fix?: RequestFix;
}

interface StringLit {
  /** Offset of the first character inside the quotes, and just past the last one. */
  start: number;
  end: number;
  value: string;
}

interface Scan {
  strings: StringLit[];
  /** Open bracket offset → close bracket offset (unclosed ones are left out). */
  pairs: Map<number, number>;
}

function skipComment(text: string, i: number, lang: CheckLanguage): number {
  if (lang === 'python' && text[i] === '#') {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (lang !== 'python' && text.startsWith('//', i)) {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (lang !== 'python' && text.startsWith('/*', i)) {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i;
}

function scan(text: string, lang: CheckLanguage): Scan {
  const strings: StringLit[] = [];
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  let i = 0;
  while (i < text.length) {
    const skipped = skipComment(text, i, lang);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== ch && !(ch !== '`' && text[j] === '\n')) {
        j += text[j] === '\\' ? 2 : 1;
      }
      strings.push({ start: i + 1, end: Math.min(j, text.length), value: text.slice(i + 1, Math.min(j, text.length)) });
      i = j + 1;
      continue;
    }
    if (ch === '{' || ch === '[') {
      stack.push(i);
    } else if (ch === '}' || ch === ']') {
      const open = stack.pop();
      if (open !== undefined) {
        pairs.set(open, i);
      }
    }
    i++;
  }
  return { strings, pairs };
}

/** The string literal right after `key: ` / `key=` / `"key": ` (the key matched by `keyRe`, anchored at the end). */
function valuesOf(text: string, s: Scan, from: number, to: number, keyRe: RegExp): StringLit[] {
  return s.strings.filter((lit) => {
    if (lit.start < from || lit.end > to) {
      return false;
    }
    const before = text.slice(Math.max(0, lit.start - 1 - 48), lit.start - 1);
    return keyRe.test(before);
  });
}

const VOICE_ID_KEY = /voice_?id["']?\s*[:=]\s*$/i;
const ID_KEY = /(?:^|[^\w])["']?id["']?\s*[:=]\s*$/;
const TYPE_KEY = /(?:^|[^\w])["']?type["']?\s*[:=]\s*$/;
const PROMPT_KEY = /(?:^|[^\w])["']?(?:prompt|text)["']?\s*[:=]\s*$/;
const AUDIO_KEY = /(?:^|[^\w])["']?audio["']?\s*[:=]\s*$/;

/** The innermost object around `offset`: [open, close], or the whole text. */
function scopeOf(text: string, s: Scan, offset: number): [number, number] {
  let best: [number, number] = [0, text.length];
  for (const [open, close] of s.pairs) {
    if (text[open] === '{' && open < offset && close > offset && open >= best[0]) {
      best = [open, close];
    }
  }
  return best;
}

/** Arrays after `name:` / `name=` / `"name":`, as [open, close] bracket offsets. */
function arraysNamed(text: string, s: Scan, name: string): [number, number][] {
  const re = new RegExp(`${name}["']?\\s*[:=]\\s*\\[`, 'g');
  const out: [number, number][] = [];
  for (const m of text.matchAll(re)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = s.pairs.get(open);
    if (close !== undefined) {
      out.push([open, close]);
    }
  }
  return out;
}

/** Direct child objects of an array: [open, close] of each `{…}` one level down. */
function objectsIn(s: Scan, open: number, close: number): [number, number][] {
  const inner = [...s.pairs].filter(([o, c]) => o > open && c < close).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let after = open;
  for (const [o, c] of inner) {
    if (o > after) {
      out.push([o, c]);
      after = c;
    }
  }
  return out;
}

export interface CheckContext {
  /** Whether a voice id is in the account or the presets; undefined when the lists are not loaded (no such warning). */
  isKnownVoice?: (voiceId: string) => boolean;
  /** Display name for messages. */
  nameOf?: (voiceId: string) => string | undefined;
}

function unknownVoices(ids: StringLit[], ctx: CheckContext): RequestProblem[] {
  const known = ctx.isKnownVoice;
  if (!known) {
    return [];
  }
  return ids
    .filter((lit) => /^\d{6,}$/.test(lit.value) && !known(lit.value))
    .map((lit) => ({
      start: lit.start,
      end: lit.end,
      code: 'unknownVoice' as const,
      message: l10n.t(
        "Voice id {0} is not in your account or Kling's presets: it may have been deleted, or belong to another account or service.",
        lit.value,
      ),
    }));
}

function checkVoiceList(text: string, s: Scan, arr: [number, number], ctx: CheckContext): RequestProblem[] {
  const ids = valuesOf(text, s, arr[0], arr[1], VOICE_ID_KEY);
  const count = Math.max(ids.length, objectsIn(s, arr[0], arr[1]).length);
  const problems: RequestProblem[] = unknownVoices(ids, ctx);
  if (count > 2) {
    problems.push({
      start: arr[0],
      end: arr[1] + 1,
      code: 'tooManyVoices',
      message: l10n.t('Kling V2.6 takes at most 2 voices in voice_list; this one has {0}.', count),
    });
  }
  const [from, to] = scopeOf(text, s, arr[0]);
  for (const prompt of valuesOf(text, s, from, to, PROMPT_KEY)) {
    for (const m of prompt.value.matchAll(/<<<voice_(\d+)>>>/g)) {
      const n = Number(m[1]);
      if (n >= 1 && n <= count) {
        continue;
      }
      const start = prompt.start + (m.index ?? 0);
      problems.push({
        start,
        end: start + m[0].length,
        code: 'unknownReference',
        message: l10n.t(
          'The prompt refers to <<<voice_{0}>>>, but voice_list has {1} voice(s): <<<voice_N>>> counts voice_list entries from 1.',
          m[1],
          count,
        ),
        fix:
          count === 1
            ? {
                title: l10n.t('Refer to {0}', '<<<voice_1>>>'),
                start,
                end: start + m[0].length,
                newText: '<<<voice_1>>>',
              }
            : undefined,
      });
    }
  }
  return problems;
}

function checkContents(text: string, s: Scan, arr: [number, number], ctx: CheckContext): RequestProblem[] {
  const items = objectsIn(s, arr[0], arr[1]).map(([o, c]) => ({
    o,
    c,
    type: valuesOf(text, s, o, c, TYPE_KEY)[0]?.value,
  }));
  const voices = items.filter((i) => i.type === 'voice');
  if (!voices.length) {
    return [];
  }
  const [from, to] = scopeOf(text, s, arr[0]);
  // V2.6 (new standard) needs settings.audio with a voice; a body without it, or text naming 4.0, is read as Kling 4.0.
  const audioSet = valuesOf(text, s, from, to, AUDIO_KEY).length > 0;
  const kling4 = /kling[-_ ]?(?:v?4|4\.0)/i.test(text) || !audioSet;
  const max = kling4 ? 3 : 2;
  const voiceIds = voices.flatMap((v) => valuesOf(text, s, v.o, v.c, VOICE_ID_KEY));
  const refIds = voices.flatMap((v) => valuesOf(text, s, v.o, v.c, ID_KEY).map((l) => l.value));
  const problems: RequestProblem[] = unknownVoices(voiceIds, ctx);
  if (voices.length > max) {
    problems.push({
      start: arr[0],
      end: arr[1] + 1,
      code: 'tooManyVoices',
      message: kling4
        ? l10n.t('Kling 4.0 takes at most 3 voices; this request has {0}.', voices.length)
        : l10n.t(
            'Kling V2.6 takes at most 2 voices in contents; this request has {0} (Kling 4.0 takes 3).',
            voices.length,
          ),
    });
  }
  const prompts = items.filter((i) => i.type === 'prompt').flatMap((i) => valuesOf(text, s, i.o, i.c, PROMPT_KEY));
  for (const prompt of prompts) {
    for (const m of prompt.value.matchAll(/(?<![\w.])@([A-Za-z0-9_-]+)/g)) {
      if (refIds.includes(m[1])) {
        continue;
      }
      const start = prompt.start + (m.index ?? 0);
      const only = refIds.length === 1 ? refIds[0] : undefined;
      problems.push({
        start,
        end: start + m[0].length,
        code: 'unknownReference',
        message: refIds.length
          ? l10n.t('The prompt refers to @{0}, but no voice item has "id": "{0}" (ids: {1}).', m[1], refIds.join(', '))
          : l10n.t('The prompt refers to @{0}, but no voice item has "id": "{0}".', m[1]),
        fix: only
          ? { title: l10n.t('Refer to {0}', `@${only}`), start, end: start + m[0].length, newText: `@${only}` }
          : undefined,
      });
    }
  }
  for (const audio of kling4 ? [] : valuesOf(text, s, from, to, AUDIO_KEY)) {
    if (audio.value === 'off') {
      problems.push({
        start: audio.start,
        end: audio.end,
        code: 'audioOff',
        message: l10n.t('A voice needs sound: settings.audio cannot be "off" when contents has a voice.'),
        fix: { title: l10n.t('Set audio to "native"'), start: audio.start, end: audio.end, newText: 'native' },
      });
    }
  }
  return problems;
}

/** Whether a document is worth checking at all (cheap test before scanning). */
export function mentionsVoiceRequest(text: string): boolean {
  return /voice_list|element_voice_id/.test(text) || (/contents/.test(text) && /["']voice["']/.test(text));
}

export function checkRequests(text: string, lang: CheckLanguage, ctx: CheckContext = {}): RequestProblem[] {
  if (!mentionsVoiceRequest(text)) {
    return [];
  }
  const s = scan(text, lang);
  const problems = [
    ...arraysNamed(text, s, 'voice_list').flatMap((arr) => checkVoiceList(text, s, arr, ctx)),
    ...arraysNamed(text, s, 'contents').flatMap((arr) => checkContents(text, s, arr, ctx)),
  ];
  const elementIds = s.strings.filter((lit) =>
    /element_voice_id["']?\s*[:=]\s*$/.test(text.slice(Math.max(0, lit.start - 50), lit.start - 1)),
  );
  problems.push(...unknownVoices(elementIds, ctx));
  return problems.sort((a, b) => a.start - b.start);
}
