/** Would Kling take this sample? The check the sandbox runs on a downloaded voice_url. */

export type CheckResult = { ok: true } | { ok: false; message: string };

const MIN_SECONDS = 5;
const MAX_SECONDS = 30;

interface MusicMetadata {
  parseBuffer(
    data: Uint8Array,
    fileInfo?: { mimeType?: string; path?: string; size?: number },
    options?: { duration?: boolean; skipCovers?: boolean },
  ): Promise<{ format: { container?: string; duration?: number; hasAudio?: boolean } }>;
}

let musicMetadata: Promise<MusicMetadata> | undefined;

/** Is this a file Kling would take (mp3 / wav / mp4 / mov), and is its duration within 5–30 s? */
export async function inspectAudio(bytes: Uint8Array, contentType: string | null, url: string): Promise<CheckResult> {
  const unsupported: CheckResult = { ok: false, message: 'voice_url is not a supported audio file' };
  if (bytes.length === 0) {
    return unsupported;
  }
  musicMetadata ??= import('music-metadata');
  const mm = await musicMetadata;
  let path: string | undefined;
  try {
    path = new URL(url).pathname;
  } catch {
    path = undefined;
  }
  const mimeType = contentType?.split(';')[0].trim().toLowerCase() || undefined;
  let format: { container?: string; duration?: number; hasAudio?: boolean };
  try {
    ({ format } = await mm.parseBuffer(
      bytes,
      { mimeType, path, size: bytes.length },
      { duration: true, skipCovers: true },
    ));
  } catch {
    return unsupported;
  }
  const container = format.container ?? '';
  const isMp4Family = /(^|\/)(isom|iso\d|mp4\d?|mp41|mp42|m4a|m4v|qt|avc1|3gp\d?|f4v)(\/|$)/i.test(
    container.replace(/\s+/g, ''),
  );
  if (!container || !(container === 'WAVE' || container === 'MPEG' || isMp4Family)) {
    return container ? { ok: false, message: `voice_url is not a supported audio file (${container})` } : unsupported;
  }
  if (isMp4Family && format.hasAudio === false) {
    return { ok: false, message: 'video has no usable audio track' };
  }
  const duration = format.duration;
  if (duration === undefined || !Number.isFinite(duration) || duration <= 0) {
    return isMp4Family ? { ok: false, message: 'video has no usable audio track' } : unsupported;
  }
  if (duration < MIN_SECONDS || duration > MAX_SECONDS) {
    return { ok: false, message: `audio duration ${duration.toFixed(1)}s is outside ${MIN_SECONDS}-${MAX_SECONDS}s` };
  }
  return { ok: true };
}
