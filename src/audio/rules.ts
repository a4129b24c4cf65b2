import { MAX_SAMPLE_SEC, MAX_VOICE_NAME_LENGTH, MIN_SAMPLE_SEC, SUPPORTED_EXTENSIONS } from '../kling/rules';
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
  return `${s.toFixed(s < 10 ? 2 : 1)} s`;
}

/** "3300.0 s (55 min)", "75.0 s (1 min 15 s)"; under a minute as formatSeconds. */
export function formatLength(s: number): string {
  if (s < 60) {
    return formatSeconds(s);
  }
  const min = Math.floor(s / 60);
  const sec = Math.round(s - min * 60);
  return `${formatSeconds(s)} (${sec === 60 ? `${min + 1} min` : sec ? `${min} min ${sec} s` : `${min} min`})`;
}

/** A decoder stopped: the audio is longer than it may decode (MAX_DECODE_SEC, with some slack). */
export class DecodeLimitError extends Error {
  constructor(
    /** Seconds decoded (or in the file, when known before decoding) when it stopped. */
    readonly seconds: number,
    readonly limitSec: number,
  ) {
    super(
      `the audio is longer than ${formatLength(limitSec)} (at least ${formatLength(seconds)}), so it is not decoded`,
    );
    this.name = 'DecodeLimitError';
  }
}

/** True when a decodable file is too long to be decoded here (see MAX_DECODE_SEC): only its headers are checked. */
export function tooLongToDecode(p: Pick<ProbeResult, 'decodable' | 'durationSec'>): boolean {
  return p.decodable && (p.durationSec ?? 0) > MAX_DECODE_SEC;
}

export function formatBytes(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  if (n < 1024 * 1024) {
    return `${(n / 1024).toFixed(1)} KB`;
  }
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Checks a probed file against Kling's rules; messages carry the real numbers. */
export function checkRules(p: ProbeResult): RuleCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const name = p.fileName.split(/[\\/]/).pop() ?? p.fileName;
  if (!(SUPPORTED_SAMPLE_EXTENSIONS as readonly string[]).includes(p.extension)) {
    errors.push(`${name}: Kling accepts .mp3, .wav, .mp4 and .mov files, not "${p.extension || 'no extension'}".`);
  }
  if (p.sizeBytes > MAX_FILE_BYTES) {
    errors.push(
      `${name} is ${formatBytes(p.sizeBytes)}; the limit is ${formatBytes(MAX_FILE_BYTES)}. A 5–30 s voice sample is much smaller: export just the speech.`,
    );
    return { errors, warnings, trimmable: false };
  }
  if (!p.isAudio) {
    errors.push(`${name} is not usable audio: ${p.problem ?? 'unknown format'}.`);
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
      `${name} is named ${p.extension} but contains ${p.kind.toUpperCase()} data (${p.container}). Rename or re-export it so the type matches.`,
    );
  }
  let lengthOnly = errors.length === 0;
  const d = p.durationSec ?? 0;
  if (d < MIN_DURATION_SEC) {
    errors.push(
      `${name} is ${formatSeconds(d)} long; Kling needs ${MIN_DURATION_SEC}–${MAX_DURATION_SEC} s of speech. Record a longer sample.`,
    );
    lengthOnly = false; // nothing to cut a 5 s window from
  } else if (tooLongToDecode(p)) {
    const limit = `${MAX_DECODE_SEC / 60} min`;
    errors.push(
      `${name} is ${formatLength(d)} long; Kling accepts ${MIN_DURATION_SEC}–${MAX_DURATION_SEC} s, and files over ${limit} are not decoded here, ` +
        `so no window can be suggested or trimmed from it. Cut a part under ${limit} around the speech with an audio editor, then open that in the trimmer.`,
    );
    lengthOnly = false; // not decoded, so there is nothing to cut a window from
  } else if (d > MAX_DURATION_SEC) {
    errors.push(
      `${name} is ${formatSeconds(d)} long; Kling accepts ${MIN_DURATION_SEC}–${MAX_DURATION_SEC} s. Trim it to a window of clean speech.`,
    );
  }
  if (p.channels && p.channels > 2) {
    warnings.push(`${p.channels} channels: Kling needs one speaker; the file will be judged as a whole.`);
  }
  return { errors, warnings, trimmable: lengthOnly && errors.length > 0 && p.decodable };
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
