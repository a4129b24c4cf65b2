// Local notes and tags of voices (Kling has no field for them), and the file a team exports them to and imports them
// from. Pure: unit-tested in plain mocha. The file holds ids, names, notes, tags and consent records: never a key,
// a token or a URL with its query.
import * as l10n from '@vscode/l10n';
import { validConsentRecord, type ConsentRecord } from './consent';

export interface VoiceNote {
  voiceId: string;
  /** The voice's name when the note was written (the file is read by people). */
  voiceName?: string;
  notes?: string;
  /** Lower-case, trimmed, unique: e.g. "en", "female", "narration". */
  tags: string[];
  /** Unix ms. */
  updatedAt: number;
}

export const NOTES_FILE_FORMAT = 'kling-voice-notes';
export const NOTES_FILE_VERSION = 1;
export const MAX_NOTES_LENGTH = 1000;
export const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 40;

export interface NotesFile {
  format: typeof NOTES_FILE_FORMAT;
  version: typeof NOTES_FILE_VERSION;
  exportedAt: string;
  voices: {
    voiceId: string;
    voiceName?: string;
    notes?: string;
    tags: string[];
    updatedAt: string;
    consent?: ConsentRecord;
  }[];
}

/** Tags typed as "en, female; narration" (commas, semicolons or spaces after a comma), cleaned and unique. */
export function parseTags(text: unknown): string[] {
  const raw = Array.isArray(text) ? text : typeof text === 'string' ? text.split(/[,;]/) : [];
  const out: string[] = [];
  for (const t of raw) {
    if (typeof t !== 'string') {
      continue;
    }
    const tag = t
      .trim()
      .toLowerCase()
      .replace(/\s+/g, '-')
      .replace(/[^\p{L}\p{N}_.+-]/gu, '')
      .slice(0, MAX_TAG_LENGTH);
    if (tag && !out.includes(tag)) {
      out.push(tag);
    }
  }
  return out.slice(0, MAX_TAGS);
}

/** Notes as one or several lines, without control characters, cut. */
export function cleanNotes(v: unknown): string | undefined {
  if (typeof v !== 'string') {
    return undefined;
  }
  const s = v
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .trim()
    .slice(0, MAX_NOTES_LENGTH);
  return s || undefined;
}

const ID_RE = /^[\w-]{1,64}$/;

/** A stored or imported note, rebuilt field by field; undefined when it has no usable voice id. */
export function validNote(v: unknown): VoiceNote | undefined {
  if (typeof v !== 'object' || v === null) {
    return undefined;
  }
  const n = v as Record<string, unknown>;
  const voiceId = typeof n.voiceId === 'string' ? n.voiceId.trim() : '';
  if (!ID_RE.test(voiceId)) {
    return undefined;
  }
  const updated =
    typeof n.updatedAt === 'number' ? n.updatedAt : typeof n.updatedAt === 'string' ? Date.parse(n.updatedAt) : NaN;
  const name = typeof n.voiceName === 'string' ? n.voiceName.trim().slice(0, 200) : '';
  return {
    voiceId,
    voiceName: name || undefined,
    notes: cleanNotes(n.notes),
    tags: parseTags(n.tags),
    updatedAt: Number.isFinite(updated) ? updated : 0,
  };
}

/** Whether a note says anything (an empty one is deleted). */
export function isEmptyNote(n: Pick<VoiceNote, 'notes' | 'tags'>): boolean {
  return !n.notes && n.tags.length === 0;
}

/** One line for the tree's description and the completion's detail: "#en #female · Calm narrator for ads". */
export function noteSummary(n: VoiceNote | undefined, max = 60): string {
  if (!n) {
    return '';
  }
  const tags = n.tags.map((t) => `#${t}`).join(' ');
  const first = (n.notes ?? '').split('\n')[0];
  const notes = first.length > max ? `${first.slice(0, max - 1)}…` : first;
  return [tags, notes].filter(Boolean).join(' · ');
}

/** The file to export: notes (and each voice's consent record, by voice id), sorted by name then id. */
export function buildNotesFile(
  notes: readonly VoiceNote[],
  consents: ReadonlyMap<string, ConsentRecord>,
  voiceNames: ReadonlyMap<string, string>,
  now = new Date(),
): NotesFile {
  const ids = new Set([...notes.map((n) => n.voiceId), ...consents.keys()]);
  const byId = new Map(notes.map((n) => [n.voiceId, n]));
  const voices = [...ids].map((voiceId) => {
    const n = byId.get(voiceId);
    const consent = consents.get(voiceId);
    return {
      voiceId,
      voiceName: voiceNames.get(voiceId) || n?.voiceName || consent?.voiceName,
      notes: n?.notes,
      tags: n?.tags ?? [],
      updatedAt: new Date(n?.updatedAt || Date.parse(consent?.acceptedAt ?? '') || 0).toISOString(),
      // Rebuilt field by field: only what a consent record holds (no URL query, nothing else).
      consent: consent ? validConsentRecord(consent) : undefined,
    };
  });
  voices.sort((a, b) => (a.voiceName ?? '').localeCompare(b.voiceName ?? '') || a.voiceId.localeCompare(b.voiceId));
  return {
    format: NOTES_FILE_FORMAT,
    version: NOTES_FILE_VERSION,
    exportedAt: now.toISOString(),
    voices,
  };
}

/** Reads an exported file: its notes and consent records, and how many entries were skipped. Throws on a wrong file. */
export function parseNotesFile(text: string): {
  notes: VoiceNote[];
  consents: { voiceId: string; record: ConsentRecord }[];
  skipped: number;
} {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(l10n.t('The file is not JSON.'));
  }
  const f = data as Partial<NotesFile> | null;
  if (typeof f !== 'object' || f === null || f.format !== NOTES_FILE_FORMAT || !Array.isArray(f.voices)) {
    throw new Error(l10n.t('The file is not a Kling voice notes export (no "format": "{0}").', NOTES_FILE_FORMAT));
  }
  if (typeof f.version !== 'number' || f.version > NOTES_FILE_VERSION) {
    throw new Error(
      l10n.t(
        "The file's version ({0}) is newer than this extension reads ({1}).",
        String(f.version),
        NOTES_FILE_VERSION,
      ),
    );
  }
  const notes: VoiceNote[] = [];
  const consents: { voiceId: string; record: ConsentRecord }[] = [];
  let skipped = 0;
  for (const v of f.voices.slice(0, 10_000)) {
    const n = validNote(v);
    if (!n) {
      skipped++;
      continue;
    }
    if (!isEmptyNote(n)) {
      notes.push(n);
    }
    const record = validConsentRecord((v as { consent?: unknown }).consent);
    if (record) {
      consents.push({ voiceId: n.voiceId, record });
    }
  }
  return { notes, consents, skipped };
}
