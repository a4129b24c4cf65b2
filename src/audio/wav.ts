import * as l10n from '@vscode/l10n';
import { LevelMeter } from './levels';
import { DecodeLimitError } from './rules';
import { type ByteSource, Peeker, bytesSource } from './source';
import type { ChannelLevels, PcmAudio } from './types';

/** The format chunk of a RIFF/WAVE file. */
export interface WavFormat {
  /** 1 = integer PCM, 3 = IEEE float (WAVE_FORMAT_EXTENSIBLE is resolved to its sub-format). */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

export class WavError extends Error {}

function chunkId(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** Finds the fmt and data chunks; throws WavError when the file is not a WAV we can decode. */
export function readWavHeader(bytes: Uint8Array): { fmt: WavFormat; dataStart: number; dataEnd: number } {
  return readWavHeaderFrom(bytesSource(bytes));
}

/** readWavHeader() on a source: the chunk headers are read, not the whole file. */
export function readWavHeaderFrom(source: ByteSource): { fmt: WavFormat; dataStart: number; dataEnd: number } {
  const peek = new Peeker(source);
  const fileEnd = source.size;
  const head = peek.bytes(0, 12);
  if (head.length < 12 || chunkId(head, 0) !== 'RIFF' || chunkId(head, 8) !== 'WAVE') {
    throw new WavError(l10n.t('not a RIFF/WAVE file'));
  }
  let pos = 12;
  let fmt: WavFormat | undefined;
  while (pos + 8 <= fileEnd) {
    const header = peek.bytes(pos, 8);
    const id = chunkId(header, 0);
    const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, true);
    const start = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || start + 16 > fileEnd) {
        throw new WavError(l10n.t('the format chunk is too short'));
      }
      const body = peek.bytes(start, 26);
      const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
      let format = view.getUint16(0, true);
      const channels = view.getUint16(2, true);
      const sampleRate = view.getUint32(4, true);
      const blockAlign = view.getUint16(12, true);
      const bitsPerSample = view.getUint16(14, true);
      if (format === 0xfffe && size >= 40 && start + 26 <= fileEnd) {
        format = view.getUint16(24, true); // first two bytes of the sub-format GUID
      }
      fmt = { format, channels, sampleRate, bitsPerSample, blockAlign };
    } else if (id === 'data') {
      if (!fmt) {
        throw new WavError(l10n.t('the data chunk comes before the format chunk'));
      }
      // Streaming writers leave 0 or 0xFFFFFFFF here: take the rest of the file.
      const end = size === 0 || size === 0xffffffff ? fileEnd : Math.min(fileEnd, start + size);
      return { fmt, dataStart: start, dataEnd: end };
    }
    pos = start + size + (size % 2); // chunks are padded to an even size
  }
  throw new WavError(fmt ? l10n.t('no data chunk') : l10n.t('no format chunk'));
}

/** A WAV's layout, checked: what readFrames needs. */
interface WavLayout {
  fmt: WavFormat;
  dataStart: number;
  frames: number;
  frameBytes: number;
  bytesPerSample: number;
  isFloat: boolean;
}

function wavLayout(header: ReturnType<typeof readWavHeader>): WavLayout {
  const { fmt, dataStart, dataEnd } = header;
  const { format, channels, sampleRate, bitsPerSample } = fmt;
  if (channels < 1 || sampleRate < 1) {
    throw new WavError(l10n.t('invalid format: {0} channels at {1} Hz', channels, sampleRate));
  }
  const bytesPerSample = bitsPerSample / 8;
  const isInt = format === 1 && [8, 16, 24, 32].includes(bitsPerSample);
  const isFloat = format === 3 && (bitsPerSample === 32 || bitsPerSample === 64);
  if (!isInt && !isFloat) {
    throw new WavError(l10n.t('unsupported WAV encoding (format {0}, {1}-bit)', format, bitsPerSample));
  }
  const frameBytes = Math.max(fmt.blockAlign, bytesPerSample * channels);
  return {
    fmt,
    dataStart,
    frames: Math.floor((dataEnd - dataStart) / frameBytes),
    frameBytes,
    bytesPerSample,
    isFloat,
  };
}

/** Reads `count` frames from frame `from` into out[channel][0..count). */
function readFrames(
  bytes: Uint8Array,
  view: DataView,
  w: WavLayout,
  from: number,
  count: number,
  out: Float32Array[],
): void {
  const { bitsPerSample, channels } = w.fmt;
  for (let i = 0; i < count; i++) {
    const base = w.dataStart + (from + i) * w.frameBytes;
    for (let c = 0; c < channels; c++) {
      const at = base + c * w.bytesPerSample;
      let v: number;
      if (w.isFloat) {
        v = bitsPerSample === 32 ? view.getFloat32(at, true) : view.getFloat64(at, true);
      } else if (bitsPerSample === 8) {
        v = (bytes[at] - 128) / 128;
      } else if (bitsPerSample === 16) {
        v = view.getInt16(at, true) / 32768;
      } else if (bitsPerSample === 24) {
        const u = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16);
        v = ((u << 8) >> 8) / 8388608;
      } else {
        v = view.getInt32(at, true) / 2147483648;
      }
      out[c][i] = v;
    }
  }
}

/** Decodes integer PCM (8/16/24/32-bit) and float (32/64-bit) WAV, any channel count, keeping every channel. */
export function decodeWav(bytes: Uint8Array): PcmAudio {
  const w = wavLayout(readWavHeader(bytes));
  const out: Float32Array[] = [];
  for (let c = 0; c < w.fmt.channels; c++) {
    out.push(new Float32Array(w.frames));
  }
  readFrames(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), w, 0, w.frames, out);
  return { sampleRate: w.fmt.sampleRate, channels: out };
}

/** Bytes of sample data read at a time (at most 65,536 frames). */
const BLOCK_BYTES = 1 << 20;

/** What a streamed decode found: the mono mix's rate and length, and the levels of the file's own channels. */
export interface StreamedFacts {
  sampleRate: number;
  length: number;
  source: ChannelLevels;
}

/**
 * Reads the frames [from, to) of a WAV block by block and hands each block's mono mix to `sink` (a view, valid
 * during the call), measuring the file's own channels on the way when `meter` is given. The mix is the one the
 * whole file's mix held: a mono file's samples as they are, else the channels' sum times 1/channels, as Float32.
 */
function readMono(
  source: ByteSource,
  w: WavLayout,
  from: number,
  to: number,
  sink: (mono: Float32Array, count: number) => void,
  meter?: LevelMeter,
): number {
  const channels = w.fmt.channels;
  const blockFrames = Math.max(1, Math.min(1 << 16, Math.floor(BLOCK_BYTES / w.frameBytes), to - from));
  const mono = new Float32Array(blockFrames);
  const block = channels === 1 ? [mono] : Array.from({ length: channels }, () => new Float32Array(blockFrames));
  const k = 1 / channels;
  const layout = { ...w, dataStart: 0 };
  let done = from;
  while (done < to) {
    const bytes = source.read(w.dataStart + done * w.frameBytes, Math.min(blockFrames, to - done) * w.frameBytes);
    const count = Math.floor(bytes.length / w.frameBytes);
    if (count === 0) {
      break; // the file is shorter than its header says (it changed while we read it)
    }
    readFrames(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), layout, 0, count, block);
    meter?.add(block, count);
    if (channels > 1) {
      for (let i = 0; i < count; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) {
          sum += block[c][i];
        }
        mono[i] = sum * k;
      }
    }
    sink(mono, count);
    done += count;
  }
  return done - from;
}

/** The header of a WAV source, checked: throws a WavError, or a DecodeLimitError when it holds more than `maxSec`. */
function layoutOf(source: ByteSource, maxSec: number): WavLayout {
  const w = wavLayout(readWavHeaderFrom(source));
  if (w.frames / w.fmt.sampleRate > maxSec) {
    throw new DecodeLimitError(w.frames / w.fmt.sampleRate, maxSec);
  }
  return w;
}

/**
 * Decodes a WAV to its mono mix a block at a time, handing each block to `sink`, and measures the levels of its own
 * channels on the way. Nothing of the file is held but one block. Throws a DecodeLimitError, before decoding
 * anything, when the file holds more than `maxSec` seconds.
 */
export function streamWav(
  source: ByteSource,
  sink: (mono: Float32Array, count: number, sampleRate: number) => void,
  maxSec = Number.POSITIVE_INFINITY,
): StreamedFacts {
  const w = layoutOf(source, maxSec);
  const meter = new LevelMeter(w.fmt.channels);
  const sampleRate = w.fmt.sampleRate;
  const length = readMono(source, w, 0, w.frames, (mono, count) => sink(mono, count, sampleRate), meter);
  return { sampleRate, length, source: meter.levels() };
}

/** The mono mix of the samples [from, to) of a WAV, read from the file alone: the same values streamWav gave. */
export function readWavRange(source: ByteSource, from: number, to: number): Float32Array {
  const w = layoutOf(source, Number.POSITIVE_INFINITY);
  const end = Math.min(to, w.frames);
  const out = new Float32Array(Math.max(0, end - from));
  let at = 0;
  readMono(source, w, from, end, (mono, count) => {
    out.set(mono.subarray(0, count), at);
    at += count;
  });
  return at === out.length ? out : out.subarray(0, at);
}

/**
 * Decodes a WAV to its mono mix, block by block, measuring the levels of its own channels on the way
 * (`source`): memory is the mono mix, never every channel. Throws a DecodeLimitError, before decoding
 * anything, when the file holds more than `maxSec` seconds.
 */
export function decodeWavMono(bytes: Uint8Array, maxSec = Number.POSITIVE_INFINITY): PcmAudio {
  const source = bytesSource(bytes);
  const mono = new Float32Array(layoutOf(source, maxSec).frames);
  let at = 0;
  const facts = streamWav(
    source,
    (block, count) => {
      mono.set(block.subarray(0, count), at);
      at += count;
    },
    maxSec,
  );
  return { sampleRate: facts.sampleRate, channels: [mono.subarray(0, at)], source: facts.source };
}

/** Averages the channels into one. */
export function mixToMono(audio: PcmAudio): Float32Array {
  const n = audio.channels[0]?.length ?? 0;
  if (audio.channels.length === 1) {
    return audio.channels[0];
  }
  const mono = new Float32Array(n);
  const k = 1 / audio.channels.length;
  for (const ch of audio.channels) {
    for (let i = 0; i < n; i++) {
      mono[i] += ch[i] * k;
    }
  }
  return mono;
}

/** Encodes mono samples as a 16-bit little-endian PCM WAV file (samples are clamped to [-1, 1]). */
export function encodeWavMono16(samples: Float32Array, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) {
      out[at + i] = s.charCodeAt(i);
    }
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, Math.round(s < 0 ? s * 32768 : s * 32767), true);
  }
  return out;
}
