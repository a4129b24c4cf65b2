// Where a voice sample came from, as the history stores it. Pure: unit-tested in plain mocha.
import { withoutSecrets } from '../shared/url';
import type { CreateVoiceInput } from '../kling/types';

/**
 * Where a voice sample came from. URLs are stored without their query string (presigned URLs carry credentials);
 * an uploaded local file is stored as that file (its name and URI on this machine), not as the upload's URL.
 */
export type TaskSource =
  { kind: 'url'; url: string } | { kind: 'video'; videoId: string } | { kind: 'file'; fileName: string; uri?: string };

/** A stored source, checked (globalState is data from disk, not trusted to have the right shape). */
export function validSource(v: unknown): TaskSource | undefined {
  if (typeof v !== 'object' || v === null) {
    return undefined;
  }
  const s = v as Record<string, unknown>;
  const text = (x: unknown, max: number): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;
  switch (s.kind) {
    case 'url':
      return text(s.url, 4096) ? { kind: 'url', url: s.url } : undefined;
    case 'video':
      return text(s.videoId, 256) ? { kind: 'video', videoId: s.videoId } : undefined;
    case 'file':
      return text(s.fileName, 1024)
        ? { kind: 'file', fileName: s.fileName, uri: text(s.uri, 4096) ? s.uri : undefined }
        : undefined;
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
    return { kind: 'url', url: safeUrl(input.voiceUrl) };
  }
  return undefined;
}
