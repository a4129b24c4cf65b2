// Where a voice sample came from, as the history stores it. Pure: unit-tested in plain mocha.
import { withoutSecrets } from '../shared/url';
import type { CreateVoiceInput } from '../kling/types';

/** The part of a file that was sent (a window cut in the trimmer or by `trim: 'suggested'`), in seconds. */
export interface SourceWindow {
  startSec: number;
  endSec: number;
}

/**
 * Where a voice sample came from. URLs are stored without their query string (presigned URLs carry credentials);
 * `stripped` says that the URL had a query or user info, which is not kept (so the stored URL alone may not fetch
 * the sample). An uploaded local file is stored as that file (its name and URI on this machine), not as the upload's
 * URL, with the window that was sent when it was not the whole file.
 */
export type TaskSource =
  | { kind: 'url'; url: string; stripped?: true }
  | { kind: 'video'; videoId: string }
  | { kind: 'file'; fileName: string; uri?: string; window?: SourceWindow };

/** A window from disk, checked: two finite seconds, start before end. */
function validWindow(v: unknown): SourceWindow | undefined {
  const w = v as Partial<SourceWindow> | undefined;
  return typeof w === 'object' &&
    w !== null &&
    typeof w.startSec === 'number' &&
    typeof w.endSec === 'number' &&
    Number.isFinite(w.startSec) &&
    Number.isFinite(w.endSec) &&
    w.startSec >= 0 &&
    w.endSec > w.startSec
    ? { startSec: w.startSec, endSec: w.endSec }
    : undefined;
}

/** A stored source, checked (globalState is data from disk, not trusted to have the right shape). */
export function validSource(v: unknown): TaskSource | undefined {
  if (typeof v !== 'object' || v === null) {
    return undefined;
  }
  const s = v as Record<string, unknown>;
  const text = (x: unknown, max: number): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;
  switch (s.kind) {
    case 'url':
      return text(s.url, 4096)
        ? { kind: 'url', url: s.url, ...(s.stripped === true ? { stripped: true } : {}) }
        : undefined;
    case 'video':
      return text(s.videoId, 256) ? { kind: 'video', videoId: s.videoId } : undefined;
    case 'file': {
      const window = validWindow(s.window);
      return text(s.fileName, 1024)
        ? {
            kind: 'file',
            fileName: s.fileName,
            uri: text(s.uri, 4096) ? s.uri : undefined,
            ...(window ? { window } : {}),
          }
        : undefined;
    }
    default:
      return undefined;
  }
}

/** Strips query and fragment from a URL so no signature or token is persisted. */
export function safeUrl(raw: string): string {
  return withoutSecrets(raw) ?? '';
}

export function sourceOf(input: Pick<CreateVoiceInput, 'voiceUrl' | 'videoId'>): TaskSource | undefined {
  if (input.videoId) {
    return { kind: 'video', videoId: input.videoId };
  }
  if (input.voiceUrl) {
    return { kind: 'url', url: safeUrl(input.voiceUrl), ...(hasSecretParts(input.voiceUrl) ? { stripped: true } : {}) };
  }
  return undefined;
}

/** True when the URL has a query or user info (what safeUrl drops, besides the fragment, which no server sees). */
function hasSecretParts(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.search !== '' || u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}
