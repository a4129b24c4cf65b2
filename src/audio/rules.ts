import * as l10n from '@vscode/l10n';
import { MAX_SAMPLE_SEC, MAX_VOICE_NAME_LENGTH, MIN_SAMPLE_SEC, SUPPORTED_EXTENSIONS } from '../kling/rules';
import { formatSec, formatSize } from '../shared/format';
import type { ProbeResult } from './types';

/** Kling's sample length, in seconds (see src/kling/rules.ts). */
export const MIN_DURATION_SEC = MIN_SAMPLE_SEC;
export const MAX_DURATION_SEC = MAX_SAMPLE_SEC;
/**
 * Largest file we read, check and upload. Kling does not document a limit; 30 s of 48 kHz stereo
 * 24-bit WAV is 8.6 MB and a 30 s 1080p clip is rarely above 40 MB, while peers cap audio at 20–50 MB.
 */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
/**
 * Longest file decoded to PCM (for the quality report, the suggested window and the trimmer). The trimmer picks
 * 5–30 s out of a longer take, such as an interview; a file under 50 MB can hold far more (a 50 MB MP3 at 128 kbps
 * is about 55 min, which would decode to over 1 GB of samples). Ten minutes of 48 kHz audio is 115 MB as the mono
 * mix the decoder keeps. A longer file is still probed and its facts are reported; it is just not decoded.
 */
export const MAX_DECODE_SEC = 10 * 60;
export const SUPPORTED_SAMPLE_EXTENSIONS = SUPPORTED_EXTENSIONS;
/** Longest voice name Kling accepts (characters). */
export const MAX_NAME_CHARS = MAX_VOICE_NAME_LENGTH;

export interface RuleCheck {
  /** Reasons the file cannot be sent as it is. */
  errors: string[];
  /** true when the only problem is the length and the file can be decoded (and is not over MAX_DECODE_SEC), so a window can be cut from it. */
  trimmable: boolean;
  /** Things worth knowing that do not stop the upload. */
  warnings: string[];
}

export function formatSeconds(s: number): string {
  return formatSec(s);
}

/** "3300.0 s (55 min)", "75.0 s (1 min 15 s)"; under a minute as formatSeconds. */
export function formatLength(s: number): string {
  if (s < 60) {
    return formatSeconds(s);
  }
  const min = Math.floor(s / 60);
  const sec = Math.round(s - min * 60);
  const minutes =
    sec === 60 ? l10n.t('{0} min', min + 1) : sec ? l10n.t('{0} min {1} s', min, sec) : l10n.t('{0} min', min);
  return `${formatSeconds(s)} (${minutes})`;
}

/** A decoder stopped: the audio is longer than it may decode (MAX_DECODE_SEC, with some slack). */
export class DecodeLimitError extends Error {
  constructor(
    /** Seconds decoded (or in the file, when known before decoding) when it stopped. */
    readonly seconds: number,
    readonly limitSec: number,
  ) {
    super(
      l10n.t(
        'the audio is longer than {0} (at least {1}), so it is not decoded',
        formatLength(limitSec),
        formatLength(seconds),
      ),
    );
    this.name = 'DecodeLimitError';
  }
}

/** True when a decodable file is too long to be decoded here (see MAX_DECODE_SEC): only its headers are checked. */
export function tooLongToDecode(p: Pick<ProbeResult, 'decodable' | 'durationSec'>): boolean {
  return p.decodable && (p.durationSec ?? 0) > MAX_DECODE_SEC;
}

export function formatBytes(n: number): string {
  return formatSize(n);
}

/** Checks a probed file against Kling's rules; messages carry the real numbers. */
export function checkRules(p: ProbeResult): RuleCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const name = p.fileName.split(/[\\/]/).pop() ?? p.fileName;
  if (!(SUPPORTED_SAMPLE_EXTENSIONS as readonly string[]).includes(p.extension)) {
    errors.push(
      l10n.t(
        '{0}: Kling accepts .mp3, .wav, .mp4 and .mov files, not "{1}".',
        name,
        p.extension || l10n.t('no extension'),
      ),
    );
  }
  if (p.sizeBytes > MAX_FILE_BYTES) {
    errors.push(tooLargeMessage(name, p.sizeBytes));
    return { errors, warnings, trimmable: false };
  }
  if (!p.isAudio) {
    errors.push(l10n.t('{0} is not usable audio: {1}.', name, p.problem ?? l10n.t('unknown format')));
    return { errors, warnings, trimmable: false };
  }
  if (
    p.kind &&
    p.extension &&
    `.${p.kind}` !== p.extension &&
    !(p.kind === 'mp4' && p.extension === '.mov') &&
    !(p.kind === 'mov' && p.extension === '.mp4')
  ) {
    errors.push(
      l10n.t(
        '{0} is named {1} but contains {2} data ({3}). Rename or re-export it so the type matches.',
        name,
        p.extension,
        p.kind.toUpperCase(),
        p.container ?? '',
      ),
    );
  }
  let lengthOnly = errors.length === 0;
  const d = p.durationSec ?? 0;
  if (d < MIN_DURATION_SEC) {
    errors.push(
      l10n.t(
        '{0} is {1} long; Kling needs {2}–{3} s of speech. Record a longer sample.',
        name,
        formatSeconds(d),
        MIN_DURATION_SEC,
        MAX_DURATION_SEC,
      ),
    );
    lengthOnly = false; // nothing to cut a 5 s window from
  } else if (tooLongToDecode(p)) {
    const limit = l10n.t('{0} min', MAX_DECODE_SEC / 60);
    errors.push(
      l10n.t(
        '{0} is {1} long; Kling accepts {2}–{3} s, and files over {4} are not decoded here, so no window can be suggested or trimmed from it. Cut a part under {4} around the speech with an audio editor, then open that in the trimmer.',
        name,
        formatLength(d),
        MIN_DURATION_SEC,
        MAX_DURATION_SEC,
        limit,
      ),
    );
    lengthOnly = false; // not decoded, so there is nothing to cut a window from
  } else if (d > MAX_DURATION_SEC) {
    errors.push(
      l10n.t(
        '{0} is {1} long; Kling accepts {2}–{3} s. Trim it to a window of clean speech.',
        name,
        formatSeconds(d),
        MIN_DURATION_SEC,
        MAX_DURATION_SEC,
      ),
    );
  }
  if (p.channels && p.channels > 2) {
    warnings.push(l10n.t('{0} channels: Kling needs one speaker; the file will be judged as a whole.', p.channels));
  }
  return { errors, warnings, trimmable: lengthOnly && errors.length > 0 && p.decodable };
}

/** The refusal of a file over MAX_FILE_BYTES (also used before a file is read). */
export function tooLargeMessage(name: string, sizeBytes: number): string {
  return l10n.t(
    '{0} is {1}; the limit is {2}. A 5–30 s voice sample is much smaller: export just the speech.',
    name,
    formatBytes(sizeBytes),
    formatBytes(MAX_FILE_BYTES),
  );
}

/** Counts code points, so an emoji or a CJK character counts once (as Kling's 20-character limit does). */
function chars(s: string): string[] {
  return Array.from(s);
}

/** A voice name from a file name: no extension, separators as spaces, at most 20 characters. */
export function voiceNameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const cleaned = stem
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[_.\-+]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const cut = chars(cleaned).slice(0, MAX_NAME_CHARS).join('').trim();
  return cut || 'Voice';
}

/**
 * Names for a batch: one per file, unique (case-insensitive) among themselves and against `taken`,
 * each ≤ 20 characters. Duplicates get " 2", " 3"… with the base shortened to fit.
 */
export function uniqueVoiceNames(fileNames: readonly string[], taken: Iterable<string> = []): string[] {
  const used = new Set<string>();
  for (const t of taken) {
    used.add(t.trim().toLowerCase());
  }
  return fileNames.map((f) => {
    const base = voiceNameFromFile(f);
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) {
      const suffix = ` ${n}`;
      name =
        chars(base)
          .slice(0, MAX_NAME_CHARS - suffix.length)
          .join('')
          .trimEnd() + suffix;
    }
    used.add(name.toLowerCase());
    return name;
  });
}
