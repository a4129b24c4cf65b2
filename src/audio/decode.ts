import * as l10n from '@vscode/l10n';
import { LevelMeter } from './levels';
import { DecodeLimitError, MAX_DECODE_SEC } from './rules';
import type { PcmAudio, ProbeResult } from './types';
import { decodeWavMono } from './wav';

interface MpegDecoderModule {
  MPEGDecoder: new () => {
    ready: Promise<void>;
    decode(data: Uint8Array): {
      channelData: Float32Array[];
      samplesDecoded: number;
      sampleRate: number;
      errors: unknown[];
    };
    free(): void;
  };
}

let mpg123: Promise<MpegDecoderModule> | undefined;

/**
 * Bytes fed to the MP3 decoder at a time (its own input buffer is 64 KB): each call returns only that piece's
 * samples (a few seconds), which are mixed into the mono output and dropped.
 */
const MP3_FEED_BYTES = 64 * 1024;

export interface DecodeOptions {
  /**
   * Stop with a DecodeLimitError once more than this many seconds are decoded (a guard: callers check the
   * probed duration against MAX_DECODE_SEC first). Default: MAX_DECODE_SEC plus 10 %, for a probe that read
   * the duration a little short (a VBR MP3 without a header).
   */
  maxSec?: number;
  /** The probed duration, to size the output once instead of growing it. */
  expectedSec?: number;
}

function defaultMaxSec(options: DecodeOptions): number {
  return options.maxSec ?? MAX_DECODE_SEC * 1.1;
}

/**
 * Decodes an MP3 with mpg123-decoder (libmpg123 compiled to WebAssembly, embedded in the package: no native
 * code) to its mono mix, a piece at a time, measuring the levels of its own channels on the way (`source`).
 * Memory is the mono mix: never both channels of the whole file, never a copy of it.
 */
export async function decodeMp3(bytes: Uint8Array, options: DecodeOptions = {}): Promise<PcmAudio> {
  const maxSec = defaultMaxSec(options);
  mpg123 ??= import('mpg123-decoder') as Promise<MpegDecoderModule>;
  const { MPEGDecoder } = await mpg123;
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    let mono = new Float32Array(0);
    let length = 0;
    let sampleRate = 0;
    // The decoder always returns two channels; a mono MP3 comes back as two identical ones, and counts as one.
    let identical = true;
    const meter = new LevelMeter(2);
    for (let at = 0; at < bytes.length; at += MP3_FEED_BYTES) {
      const out = decoder.decode(bytes.subarray(at, at + MP3_FEED_BYTES));
      const n = out.samplesDecoded;
      if (n === 0 || out.channelData.length === 0) {
        continue;
      }
      sampleRate ||= out.sampleRate;
      if ((length + n) / sampleRate > maxSec) {
        throw new DecodeLimitError((length + n) / sampleRate, maxSec);
      }
      if (length + n > mono.length) {
        const expected = options.expectedSec ? Math.ceil(options.expectedSec * sampleRate * 1.01) + 4 * 1152 : 0;
        const grown = new Float32Array(
          Math.min(
            Math.ceil(maxSec * sampleRate) + n,
            Math.max(length + n, expected, Math.ceil(mono.length * 1.5), 1 << 18),
          ),
        );
        grown.set(mono.subarray(0, length));
        mono = grown;
      }
      const left = out.channelData[0];
      const right = out.channelData[1] ?? left;
      for (let i = 0; i < n; i++) {
        const l = left[i];
        const r = right[i];
        if (l !== r) {
          identical = false;
        }
        mono[length + i] = (l + r) * 0.5;
      }
      meter.add([left, right], n);
      length += n;
    }
    if (length === 0) {
      throw new Error(l10n.t('no MPEG audio could be decoded'));
    }
    // A view, not a copy: the few samples over the probed length stay allocated with it.
    return { sampleRate, channels: [mono.subarray(0, length)], source: meter.levels(identical ? 1 : 2) };
  } finally {
    decoder.free();
  }
}

/**
 * Decodes WAV (by hand) and MP3 (WebAssembly) to their mono mix, with the levels of the file's own channels in
 * `source`: the report, the window, the trimmer's waveform and the export need nothing more. MP4/MOV (usually
 * AAC) are not decoded: the only pure-JS AAC decoders are GPL (FAAD2), so those files are checked by their
 * headers and uploaded as they are. Returns undefined for kinds that cannot be decoded; throws a
 * DecodeLimitError for audio longer than `options.maxSec`.
 */
export async function decodeAudio(
  bytes: Uint8Array,
  probed: Pick<ProbeResult, 'kind'> & Partial<Pick<ProbeResult, 'durationSec'>>,
  options: DecodeOptions = {},
): Promise<PcmAudio | undefined> {
  if (probed.kind === 'wav') {
    return decodeWavMono(bytes, defaultMaxSec(options));
  }
  if (probed.kind === 'mp3') {
    return decodeMp3(bytes, { expectedSec: probed.durationSec, ...options });
  }
  return undefined;
}
