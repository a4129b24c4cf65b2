// A quick look at a file's first bytes before a parser that scans byte by byte gets it. A file of 0xFF bytes named
// .mp3 looks like an endless run of MPEG sync words to a lenient parser, which then spends seconds per megabyte;
// here it is refused in microseconds. Pure: no vscode.
import type { ByteSource } from './source';

/** What the first bytes say the file is; undefined when they look like no audio or video container at all. */
export type Sniffed = 'wav' | 'mp3' | 'iso' | 'other';

/** How far past the start (or an ID3 tag) the first MPEG audio frame may be. */
const MPEG_SEARCH_BYTES = 64 * 1024;

const ISO_TOP_BOXES = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot', 'uuid']);

function ascii(bytes: Uint8Array, at: number, length: number): string {
  let s = '';
  for (let i = at; i < at + length && i < bytes.length; i++) {
    s += String.fromCharCode(bytes[i]);
  }
  return s;
}

// kbit/s by [version is MPEG-1][layer 1..3][index]; index 0 (free format) and 15 (bad) are not accepted.
const BITRATES_V1 = [
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
];
const BITRATES_V2 = [
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const SAMPLE_RATES = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] } as Record<
  number,
  number[]
>;

/** The length in bytes of the MPEG audio frame whose header starts at `at`, or 0 when it is not a valid header. */
export function mpegFrameLength(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1] & 0xe0) !== 0xe0) {
    return 0;
  }
  const version = (bytes[at + 1] >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 = reserved
  const layerBits = (bytes[at + 1] >> 1) & 3; // 3 = layer I, 2 = II, 1 = III, 0 = reserved
  const bitrateIndex = bytes[at + 2] >> 4;
  const rateIndex = (bytes[at + 2] >> 2) & 3;
  const padding = (bytes[at + 2] >> 1) & 1;
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) {
    return 0;
  }
  const layer = 4 - layerBits; // 1, 2 or 3
  const kbps = (version === 3 ? BITRATES_V1 : BITRATES_V2)[layer - 1][bitrateIndex];
  const rate = SAMPLE_RATES[version][rateIndex];
  if (layer === 1) {
    return (Math.floor((12 * kbps * 1000) / rate) + padding) * 4;
  }
  const perFrame = layer === 3 && version !== 3 ? 72 : 144;
  return Math.floor((perFrame * kbps * 1000) / rate) + padding;
}

/**
 * True when two valid MPEG audio frames follow each other somewhere in [from, from + MPEG_SEARCH_BYTES). `fileEnd` is
 * where the file ends, in the coordinates of `bytes` (which may hold only the start of it).
 */
function hasMpegFramePair(bytes: Uint8Array, from: number, fileEnd = bytes.length): boolean {
  const end = Math.min(bytes.length - 4, from + MPEG_SEARCH_BYTES);
  for (let i = from; i < end; i++) {
    if (bytes[i] !== 0xff) {
      continue;
    }
    const length = mpegFrameLength(bytes, i);
    if (length > 0) {
      const next = i + length;
      // A file holding exactly one frame ends right after it.
      if (next === fileEnd || mpegFrameLength(bytes, next) > 0) {
        return true;
      }
    }
  }
  return false;
}

/** Where the audio starts after an ID3v2 tag (0 without one). */
function afterId3(bytes: Uint8Array): number {
  if (bytes.length < 10 || ascii(bytes, 0, 3) !== 'ID3') {
    return 0;
  }
  const size = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
  const footer = bytes[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/** The containers known by the first 12 bytes alone: RIFF/WAVE (or RF64), ISO BMFF / QuickTime, FLAC, Ogg, AIFF, CAF. */
function sniffMagic(bytes: Uint8Array): Sniffed | undefined {
  const riff = ascii(bytes, 0, 4);
  if ((riff === 'RIFF' || riff === 'RF64') && ascii(bytes, 8, 4) === 'WAVE') {
    return 'wav';
  }
  if (ISO_TOP_BOXES.has(ascii(bytes, 4, 4))) {
    return 'iso';
  }
  return riff === 'fLaC' || riff === 'OggS' || riff === 'FORM' || riff === 'caff' ? 'other' : undefined;
}

/**
 * What the first bytes say: a RIFF/WAVE (or RF64) file, an ISO BMFF / QuickTime file (a known top-level box at
 * offset 4), an MP3 (an optional ID3v2 tag, then two consecutive valid MPEG audio frame headers within 64 KB), a
 * container another parser names ('other': FLAC, Ogg, AIFF, ADTS AAC…), or undefined for none of these.
 */
export function sniffContainer(bytes: Uint8Array): Sniffed | undefined {
  if (bytes.length < 12) {
    return undefined;
  }
  const magic = sniffMagic(bytes);
  if (magic) {
    return magic;
  }
  const start = afterId3(bytes);
  if (start > 0 && start >= bytes.length) {
    return undefined; // a tag and nothing after it
  }
  if (hasMpegFramePair(bytes, start)) {
    return 'mp3';
  }
  // ADTS (AAC in an MPEG-2/4 stream): sync word with layer bits 00.
  if (bytes[start] === 0xff && (bytes[start + 1] & 0xf6) === 0xf0) {
    return 'other';
  }
  return undefined;
}

/** The longest MPEG audio frame mpegFrameLength() accepts, with the header after it. */
const FRAME_AND_HEADER = 2881 + 4;

/**
 * sniffContainer() on a source, reading only what it looks at: the first bytes and, for MP3, the first 64 KB after
 * an ID3v2 tag (however large the tag).
 */
export function sniffSource(source: ByteSource): Sniffed | undefined {
  const head = source.read(0, 64).slice();
  if (head.length < 12) {
    return undefined;
  }
  const magic = sniffMagic(head);
  if (magic) {
    return magic;
  }
  const start = afterId3(head);
  if (start > 0 && start >= source.size) {
    return undefined;
  }
  const window = source.read(start, MPEG_SEARCH_BYTES + FRAME_AND_HEADER);
  if (hasMpegFramePair(window, 0, source.size - start)) {
    return 'mp3';
  }
  return window[0] === 0xff && (window[1] & 0xf6) === 0xf0 ? 'other' : undefined;
}
