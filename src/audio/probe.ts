import * as l10n from '@vscode/l10n';
import { readIsoBmff } from './isoBmff';
import { sniffContainer } from './sniff';
import type { ProbeResult, SampleKind } from './types';

/** The part of music-metadata 11 we use (it is ESM-only, so it is loaded with a real `import()`). */
interface MusicMetadata {
  parseBuffer(
    data: Uint8Array,
    fileInfo?: { mimeType?: string; path?: string; size?: number },
    options?: { duration?: boolean; skipCovers?: boolean; skipPostHeaders?: boolean },
  ): Promise<{
    format: {
      container?: string;
      codec?: string;
      duration?: number;
      sampleRate?: number;
      numberOfChannels?: number;
      bitsPerSample?: number;
      hasAudio?: boolean;
      hasVideo?: boolean;
    };
  }>;
}

let musicMetadata: Promise<MusicMetadata> | undefined;

function loadMusicMetadata(): Promise<MusicMetadata> {
  // A real dynamic import: tsc keeps it in the CommonJS test build; the extension bundle requires it from its own
  // bundle, dist/music-metadata.js, on first use (tools/build/build.mjs).
  musicMetadata ??= import('music-metadata') as Promise<MusicMetadata>;
  return musicMetadata;
}

export function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

const MP4_FAMILY = /(^|\/)(isom|iso\d|mp4\d?|mp41|mp42|m4a|m4v|avc1|3gp\d?|f4v|dash)(\/|$)/i;

function kindOf(container: string | undefined): SampleKind | undefined {
  if (!container) {
    return undefined;
  }
  if (container === 'WAVE') {
    return 'wav';
  }
  if (container === 'MPEG') {
    return 'mp3';
  }
  if (/(^|\/)qt(\/|$)/i.test(container.replace(/\s+/g, ''))) {
    return 'mov';
  }
  if (MP4_FAMILY.test(container.replace(/\s+/g, ''))) {
    return 'mp4';
  }
  return undefined;
}

/**
 * Looks at a sample file's bytes: container, codec, duration (for .mp4/.mov the audio track's),
 * sample rate, channels, size. Never throws for bad input: `isAudio: false` and `problem` say why.
 */
export async function probe(bytes: Uint8Array, fileName: string): Promise<ProbeResult> {
  try {
    return await probeBytes(bytes, fileName);
  } catch (e) {
    // A parser bug or a crafted file (a stack or range error deep in a container walk) is a refusal, not a crash.
    const extension = extensionOf(fileName);
    return {
      fileName,
      extension,
      sizeBytes: bytes.length,
      isAudio: false,
      decodable: false,
      problem: l10n.t('the file is not a readable audio or video file ({0})', e instanceof Error ? e.name : 'error'),
    };
  }
}

async function probeBytes(bytes: Uint8Array, fileName: string): Promise<ProbeResult> {
  const extension = extensionOf(fileName);
  const result: ProbeResult = { fileName, extension, sizeBytes: bytes.length, isAudio: false, decodable: false };
  if (bytes.length === 0) {
    result.problem = l10n.t('the file is empty');
    return result;
  }
  if (!sniffContainer(bytes)) {
    // Checked before any parser sees the bytes: a lenient parser scans a file of garbage byte by byte.
    result.problem = l10n.t(
      'the file is not a readable audio or video file (no WAV, MP3, MP4 or MOV header was found)',
    );
    return result;
  }
  const mm = await loadMusicMetadata();
  let format: Awaited<ReturnType<MusicMetadata['parseBuffer']>>['format'];
  try {
    // Judge by content first, so a WAV named .mp3 is seen as WAV; the name is only a fallback hint.
    ({ format } = await mm.parseBuffer(bytes, { size: bytes.length }, { duration: true, skipCovers: true }));
  } catch {
    try {
      ({ format } = await mm.parseBuffer(
        bytes,
        { path: fileName, size: bytes.length },
        { duration: true, skipCovers: true },
      ));
    } catch (e) {
      result.problem = l10n.t(
        'the file is not a readable audio or video file ({0})',
        e instanceof Error ? e.message : String(e),
      );
      return result;
    }
  }
  result.container = format.container;
  result.codec = format.codec;
  result.sampleRate = format.sampleRate;
  result.channels = format.numberOfChannels;
  result.bitsPerSample = format.bitsPerSample;
  result.hasVideo = format.hasVideo;
  result.kind = kindOf(format.container);
  let duration = format.duration;
  if (result.kind === 'mp4' || result.kind === 'mov') {
    // Kling listens to the audio track: use its own duration (music-metadata 11 has none for QuickTime).
    const iso = readIsoBmff(bytes);
    const audio = iso?.tracks.find((t) => t.handler === 'soun');
    if (iso && !audio) {
      result.problem = l10n.t('the video has no audio track');
      return result;
    }
    if (audio?.durationSec !== undefined) {
      duration = audio.durationSec;
    }
    result.sampleRate ??= audio?.sampleRate || undefined;
    result.channels ??= audio?.channels || undefined;
    result.hasVideo ??= iso?.tracks.some((t) => t.handler === 'vide');
  }
  if (format.hasAudio === false) {
    result.problem = l10n.t('the file has no audio');
    return result;
  }
  if (!result.kind) {
    result.problem = format.container
      ? l10n.t('the file is {0}, not MP3, WAV, MP4 or MOV', format.container)
      : l10n.t('the file is not a readable audio or video file');
    return result;
  }
  if (duration === undefined || !Number.isFinite(duration) || duration <= 0) {
    result.problem = l10n.t('the audio duration cannot be read (the file may be damaged or not audio)');
    return result;
  }
  if (result.kind === 'mp3' && !result.sampleRate) {
    result.problem = l10n.t('no MPEG audio frames were found');
    return result;
  }
  result.durationSec = duration;
  result.isAudio = true;
  result.decodable = result.kind === 'wav' || result.kind === 'mp3';
  return result;
}
