import * as l10n from '@vscode/l10n';
import { LevelMeter } from './levels';
import { DecodeLimitError } from './rules';
import type { PcmAudio } from './types';

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
  if (bytes.length < 12 || chunkId(bytes, 0) !== 'RIFF' || chunkId(bytes, 8) !== 'WAVE') {
    throw new WavError(l10n.t('not a RIFF/WAVE file'));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  let fmt: WavFormat | undefined;
  while (pos + 8 <= bytes.length) {
    const id = chunkId(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const start = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || start + 16 > bytes.length) {
        throw new WavError(l10n.t('the format chunk is too short'));
      }
      let format = view.getUint16(start, true);
      const channels = view.getUint16(start + 2, true);
      const sampleRate = view.getUint32(start + 4, true);
      const blockAlign = view.getUint16(start + 12, true);
      const bitsPerSample = view.getUint16(start + 14, true);
      if (format === 0xfffe && size >= 40 && start + 26 <= bytes.length) {
        format = view.getUint16(start + 24, true); // first two bytes of the sub-format GUID
      }
      fmt = { format, channels, sampleRate, bitsPerSample, blockAlign };
    } else if (id === 'data') {
      if (!fmt) {
        throw new WavError(l10n.t('the data chunk comes before the format chunk'));
      }
      // Streaming writers leave 0 or 0xFFFFFFFF here: take the rest of the file.
      const end = size === 0 || size === 0xffffffff ? bytes.length : Math.min(bytes.length, start + size);
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

function wavLayout(bytes: Uint8Array): WavLayout {
  const { fmt, dataStart, dataEnd } = readWavHeader(bytes);
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
  const w = wavLayout(bytes);
  const out: Float32Array[] = [];
  for (let c = 0; c < w.fmt.channels; c++) {
    out.push(new Float32Array(w.frames));
  }
  readFrames(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), w, 0, w.frames, out);
  return { sampleRate: w.fmt.sampleRate, channels: out };
}

/** Frames decoded per block by decodeWavMono. */
const BLOCK_FRAMES = 1 << 16;

/**
 * Decodes a WAV to its mono mix, block by block, measuring the levels of its own channels on the way
 * (`source`): memory is the mono mix, never every channel. Throws a DecodeLimitError, before decoding
 * anything, when the file holds more than `maxSec` seconds.
 */
export function decodeWavMono(bytes: Uint8Array, maxSec = Number.POSITIVE_INFINITY): PcmAudio {
  const w = wavLayout(bytes);
  const { channels, sampleRate } = w.fmt;
  if (w.frames / sampleRate > maxSec) {
    throw new DecodeLimitError(w.frames / sampleRate, maxSec);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mono = new Float32Array(w.frames);
  const meter = new LevelMeter(channels);
  if (channels === 1) {
    readFrames(bytes, view, w, 0, w.frames, [mono]);
    meter.add([mono]);
    return { sampleRate, channels: [mono], source: meter.levels() };
  }
  const block: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    block.push(new Float32Array(Math.min(BLOCK_FRAMES, w.frames)));
  }
  const k = 1 / channels;
  for (let from = 0; from < w.frames; from += BLOCK_FRAMES) {
    const count = Math.min(BLOCK_FRAMES, w.frames - from);
    readFrames(bytes, view, w, from, count, block);
    meter.add(block, count);
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) {
        sum += block[c][i];
      }
      mono[from + i] = sum * k;
    }
  }
  return { sampleRate, channels: [mono], source: meter.levels() };
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
