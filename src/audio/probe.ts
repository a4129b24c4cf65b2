import * as fs from 'fs';
import * as l10n from '@vscode/l10n';
import { type IsoInfo, readIsoBmff, readIsoBmffFrom } from './isoBmff';
import { sniffContainer, sniffSource, type Sniffed } from './sniff';
import { type ByteSource, Peeker } from './source';
import type { ProbeResult, SampleKind } from './types';

/** What music-metadata's parseBlob uses of a Blob (its tokenizer reads `slice(a, b).arrayBuffer()`). */
interface BlobLike {
  size: number;
  type: string;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** A file as a Blob for music-metadata, read through a cached window: its many small reads cost a few of the file. */
function blobOf(source: ByteSource, type: string): BlobLike {
  const peek = new Peeker(source);
  return {
    size: source.size,
    type,
    slice: (start = 0, end = source.size) => ({
      arrayBuffer: async () => peek.bytes(start, Math.max(0, end - start)).slice().buffer,
    }),
  };
}

interface FileInfo {
  mimeType?: string;
  path?: string;
  size?: number;
}
interface ParseOptions {
  duration?: boolean;
  skipCovers?: boolean;
  skipPostHeaders?: boolean;
}
interface Format {
  container?: string;
  codec?: string;
  duration?: number;
  sampleRate?: number;
  numberOfChannels?: number;
  bitsPerSample?: number;
  hasAudio?: boolean;
  hasVideo?: boolean;
}

/** The part of music-metadata 11 we use (it is ESM-only, so it is loaded with a real `import()`). */
interface MusicMetadata {
  parseBuffer(data: Uint8Array, fileInfo?: FileInfo, options?: ParseOptions): Promise<{ format: Format }>;
  /** Reads the blob where the parser asks: given a file, only the parts it looks at are read. */
  parseBlob(blob: BlobLike, options?: ParseOptions): Promise<{ format: Format }>;
  /** Node only: reads the stream from its start to where the parser stops. */
  parseStream(stream: NodeJS.ReadableStream, fileInfo?: FileInfo, options?: ParseOptions): Promise<{ format: Format }>;
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

/** How probeWith() reads a file: its size, a sniff of its first bytes, music-metadata, and the ISO BMFF boxes. */
interface ProbeIo {
  size: number;
  sniff(): Sniffed | undefined;
  /** music-metadata on the file; `info` adds a hint (the name) to its size. */
  parse(info: FileInfo): Promise<{ format: Format }>;
  iso(): IsoInfo | undefined;
}

/**
 * Looks at a sample file's bytes: container, codec, duration (for .mp4/.mov the audio track's),
 * sample rate, channels, size. Never throws for bad input: `isAudio: false` and `problem` say why.
 */
export async function probe(bytes: Uint8Array, fileName: string): Promise<ProbeResult> {
  return probeWith(
    {
      size: bytes.length,
      sniff: () => sniffContainer(bytes),
      parse: async (info) => (await loadMusicMetadata()).parseBuffer(bytes, info, parseOptions()),
      iso: () => readIsoBmff(bytes),
    },
    fileName,
  );
}

/**
 * probe() of a file on disk (`source` open on it), read a piece at a time: the first bytes, what music-metadata
 * asks for (it streams the file), and the ISO BMFF box headers and movie box. The file is never held whole.
 */
export async function probeFile(path: string, source: ByteSource, fileName: string): Promise<ProbeResult> {
  return probeWith(
    {
      size: source.size,
      sniff: () => sniffSource(source),
      parse: async (info) => {
        const mm = await loadMusicMetadata();
        // As a Blob the file is read only where the parser looks (a WAV's or MP4's media data is skipped, not read).
        // By content first, as parseBuffer does with only the size; the second try names the type the file's name
        // gives, which picks the parser parseBuffer picks from the name.
        const type = info.path ? (TYPE_OF_EXTENSION[extensionOf(info.path)] ?? '') : '';
        if (!info.path || type) {
          return mm.parseBlob(blobOf(source, type), parseOptions());
        }
        // Another extension as the hint: only parseStream takes a name (it reads the file from the start).
        const stream = fs.createReadStream(path, { highWaterMark: 64 * 1024 });
        try {
          return await mm.parseStream(stream, info, parseOptions());
        } finally {
          stream.destroy();
        }
      },
      iso: () => readIsoBmffFrom(source),
    },
    fileName,
  );
}

/** The MIME types music-metadata maps to the parser it picks for these extensions. */
const TYPE_OF_EXTENSION: Record<string, string> = {
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
};

/** A new object each time: music-metadata writes into its options (an APE tag's offset). */
const parseOptions = (): ParseOptions => ({ duration: true, skipCovers: true });

async function probeWith(io: ProbeIo, fileName: string): Promise<ProbeResult> {
  try {
    return await probeIo(io, fileName);
  } catch (e) {
    // A parser bug or a crafted file (a stack or range error deep in a container walk) is a refusal, not a crash.
    const extension = extensionOf(fileName);
    return {
      fileName,
      extension,
      sizeBytes: io.size,
      isAudio: false,
      decodable: false,
      problem: l10n.t('the file is not a readable audio or video file ({0})', e instanceof Error ? e.name : 'error'),
    };
  }
}

async function probeIo(io: ProbeIo, fileName: string): Promise<ProbeResult> {
  const extension = extensionOf(fileName);
  const result: ProbeResult = { fileName, extension, sizeBytes: io.size, isAudio: false, decodable: false };
  if (io.size === 0) {
    result.problem = l10n.t('the file is empty');
    return result;
  }
  if (!io.sniff()) {
    // Checked before any parser sees the bytes: a lenient parser scans a file of garbage byte by byte.
    result.problem = l10n.t(
      'the file is not a readable audio or video file (no WAV, MP3, MP4 or MOV header was found)',
    );
    return result;
  }
  let format: Format;
  try {
    // Judge by content first, so a WAV named .mp3 is seen as WAV; the name is only a fallback hint.
    ({ format } = await io.parse({ size: io.size }));
  } catch {
    try {
      ({ format } = await io.parse({ path: fileName, size: io.size }));
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
    const iso = io.iso();
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
