// The audio pipeline as it was before the streamed decode (main at 62c72b9), frozen here as the reference the tests
// compare the new code with: the whole mono mix at the file's rate in one Float32Array, then the report, the window,
// the envelope and the export measured on it. Copied, not imported, so a later change of src/audio cannot move the
// reference with it. Only the level meter (unchanged) and the formatting constants come from src.
import { SNR_CAP_DB } from '../../../src/shared/format';
import { CLIP_LEVEL, CLIP_RUN, LevelMeter, measureLevels } from '../../../src/audio/levels';
import { readWavHeader } from '../../../src/audio/wav';
import type { PcmAudio } from '../../../src/audio/types';

const FLOOR_DB = -120;

export interface LegacyNumbers {
  durationSec: number;
  sampleRate: number;
  channels: number;
  peakDbfs: number;
  clippingShare: number;
  rmsDbfs: number;
  silenceShare: number;
  noiseFloorDbfs: number;
  speechLevelDbfs: number;
  snrDb: number;
  silent: boolean;
}

interface MpegDecoderModule {
  MPEGDecoder: new () => {
    ready: Promise<void>;
    decode(data: Uint8Array): { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number };
    free(): void;
  };
}

/** The old decodeMp3: 64 KB fed at a time, the mono mix of the whole file kept at the file's rate. */
export async function legacyDecodeMp3(bytes: Uint8Array): Promise<PcmAudio> {
  const { MPEGDecoder } = (await import('mpg123-decoder')) as MpegDecoderModule;
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const parts: Float32Array[] = [];
    let length = 0;
    let sampleRate = 0;
    let identical = true;
    const meter = new LevelMeter(2);
    for (let at = 0; at < bytes.length; at += 64 * 1024) {
      const out = decoder.decode(bytes.subarray(at, at + 64 * 1024));
      const n = out.samplesDecoded;
      if (n === 0 || out.channelData.length === 0) {
        continue;
      }
      sampleRate ||= out.sampleRate;
      const left = out.channelData[0];
      const right = out.channelData[1] ?? left;
      const mono = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        if (left[i] !== right[i]) {
          identical = false;
        }
        mono[i] = (left[i] + right[i]) * 0.5;
      }
      meter.add([left, right], n);
      parts.push(mono);
      length += n;
    }
    const mono = new Float32Array(length);
    let at = 0;
    for (const p of parts) {
      mono.set(p, at);
      at += p.length;
    }
    return { sampleRate, channels: [mono], source: meter.levels(identical ? 1 : 2) };
  } finally {
    decoder.free();
  }
}

/** The old decodeWavMono: every frame of the file read from one buffer, block by block, and mixed to mono. */
export function legacyDecodeWavMono(bytes: Uint8Array): PcmAudio {
  const { fmt, dataStart, dataEnd } = readWavHeader(bytes);
  const { channels, sampleRate, bitsPerSample, format } = fmt;
  const bytesPerSample = bitsPerSample / 8;
  const frameBytes = Math.max(fmt.blockAlign, bytesPerSample * channels);
  const frames = Math.floor((dataEnd - dataStart) / frameBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const readFrames = (from: number, count: number, out: Float32Array[]) => {
    for (let i = 0; i < count; i++) {
      const base = dataStart + (from + i) * frameBytes;
      for (let c = 0; c < channels; c++) {
        const at = base + c * bytesPerSample;
        let v: number;
        if (format === 3) {
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
  };
  const mono = new Float32Array(frames);
  const meter = new LevelMeter(channels);
  if (channels === 1) {
    readFrames(0, frames, [mono]);
    meter.add([mono]);
    return { sampleRate, channels: [mono], source: meter.levels() };
  }
  const blockFrames = 1 << 16;
  const block: Float32Array[] = [];
  for (let c = 0; c < channels; c++) {
    block.push(new Float32Array(Math.min(blockFrames, frames)));
  }
  const k = 1 / channels;
  for (let from = 0; from < frames; from += blockFrames) {
    const count = Math.min(blockFrames, frames - from);
    readFrames(from, count, block);
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

export function legacyMixToMono(audio: PcmAudio): Float32Array {
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

const toDb = (x: number) => (x > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(x)) : FLOOR_DB);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) {
    return FLOOR_DB;
  }
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))))];
}

function frameLevels(mono: Float32Array, sampleRate: number, frameSec: number): Float64Array {
  const size = Math.max(1, Math.round(sampleRate * frameSec));
  const n = Math.floor(mono.length / size);
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let sum = 0;
    for (let i = f * size, end = i + size; i < end; i++) {
      sum += mono[i] * mono[i];
    }
    out[f] = toDb(Math.sqrt(sum / size));
  }
  return out;
}

function clippedMask(samples: Float32Array): Uint8Array {
  const mask = new Uint8Array(samples.length);
  let runStart = -1;
  const close = (end: number) => {
    if (runStart >= 0 && end - runStart >= CLIP_RUN) {
      mask.fill(1, runStart, end);
    }
    runStart = -1;
  };
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]) >= CLIP_LEVEL) {
      if (runStart < 0) {
        runStart = i;
      }
    } else {
      close(i);
    }
  }
  close(samples.length);
  return mask;
}

const silenceThresholdDb = (sorted: Float64Array) => Math.max(-50, percentile(sorted, 95) - 40);

export function legacyAnalyze(audio: PcmAudio): LegacyNumbers {
  const frames = audio.channels[0]?.length ?? 0;
  const { channels, peak, sumSq, clipped } = audio.source ?? measureLevels(audio.channels);
  const total = frames * channels;
  const levels = frameLevels(legacyMixToMono(audio), audio.sampleRate, 0.02);
  const sorted = Float64Array.from(levels).sort();
  const threshold = silenceThresholdDb(sorted);
  let silentFrames = 0;
  for (const l of levels) {
    if (l < threshold) {
      silentFrames++;
    }
  }
  const noiseFloorDbfs = percentile(sorted, 10);
  const speechLevelDbfs = percentile(sorted, 95);
  return {
    durationSec: frames / audio.sampleRate,
    sampleRate: audio.sampleRate,
    channels,
    peakDbfs: toDb(peak),
    clippingShare: total ? clipped / total : 0,
    rmsDbfs: toDb(total ? Math.sqrt(sumSq / total) : 0),
    silenceShare: levels.length ? silentFrames / levels.length : 1,
    noiseFloorDbfs,
    speechLevelDbfs,
    snrDb: Math.min(SNR_CAP_DB, Math.max(0, speechLevelDbfs - noiseFloorDbfs)),
    silent: peak < 0.001,
  };
}

export function legacySuggestWindow(audio: PcmAudio, targetSec = 20) {
  const mono = legacyMixToMono(audio);
  const duration = mono.length / audio.sampleRate;
  if (duration < 5) {
    return undefined;
  }
  const levels = frameLevels(mono, audio.sampleRate, 0.05);
  const blockSize = Math.max(1, Math.round(audio.sampleRate * 0.05));
  const sorted = Float64Array.from(levels).sort();
  const loud = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))];
  const threshold = Math.max(silenceThresholdDb(sorted), loud - 30);
  const clip = clippedMask(mono);
  const n = levels.length;
  const sum = new Float64Array(n + 1);
  const sumSq = new Float64Array(n + 1);
  for (let b = 0; b < n; b++) {
    const v = Math.max(-100, levels[b]);
    sum[b + 1] = sum[b] + v;
    sumSq[b + 1] = sumSq[b] + v * v;
  }
  const steady = (b: number): boolean => {
    const lo = Math.max(0, b - 10);
    const hi = Math.min(n, b + 11);
    const count = hi - lo;
    const mean = (sum[hi] - sum[lo]) / count;
    return Math.sqrt(Math.max(0, (sumSq[hi] - sumSq[lo]) / count - mean * mean)) < 1.5;
  };
  const score = new Float64Array(n + 1);
  const active = new Float64Array(n + 1);
  const clipped = new Float64Array(n + 1);
  for (let b = 0; b < n; b++) {
    const isActive = levels[b] >= threshold && !steady(b) ? 1 : 0;
    let hasClip = 0;
    for (let i = b * blockSize, end = Math.min(clip.length, i + blockSize); i < end; i++) {
      if (clip[i]) {
        hasClip = 1;
        break;
      }
    }
    const loudness = isActive ? Math.max(0, Math.min(1, (levels[b] - threshold) / 40)) : 0;
    score[b + 1] = score[b] + isActive + 0.25 * loudness - 4 * hasClip;
    active[b + 1] = active[b] + isActive;
    clipped[b + 1] = clipped[b] + hasClip;
  }
  const wanted = Math.min(Math.max(targetSec, 5), 30, duration);
  const len = Math.max(1, Math.min(n, Math.floor(wanted / 0.05)));
  let best = 0;
  let bestScore = -Infinity;
  for (let s = 0; s + len <= n; s++) {
    const v = score[s + len] - score[s];
    if (v > bestScore + 1e-9) {
      bestScore = v;
      best = s;
    }
  }
  let start = best;
  let end = best + len;
  for (let k = 0; k < 10 && start > 0 && levels[start] >= threshold; k++) {
    start--;
  }
  for (let k = 0; k < 10 && end < n && levels[end - 1] >= threshold; k++) {
    end++;
  }
  if (end - start > 600) {
    end = start + 600;
  }
  const blocks = end - start;
  return {
    startSec: start * 0.05,
    endSec: Math.min(duration, end === n ? duration : end * 0.05),
    activeShare: blocks ? (active[end] - active[start]) / blocks : 0,
    clippedShare: blocks ? (clipped[end] - clipped[start]) / blocks : 0,
  };
}

export function legacyPeakEnvelope(audio: PcmAudio, buckets = 2000): number[] {
  const mono = legacyMixToMono(audio);
  const n = Math.max(0, Math.min(Math.floor(buckets), mono.length));
  const out = new Array<number>(n);
  for (let b = 0; b < n; b++) {
    const from = Math.floor((b * mono.length) / n);
    const to = Math.max(from + 1, Math.floor(((b + 1) * mono.length) / n));
    let peak = 0;
    for (let i = from; i < to; i++) {
      peak = Math.max(peak, Math.abs(mono[i]));
    }
    out[b] = Math.round(Math.min(1, peak) * 1000) / 1000;
  }
  return out;
}

/** The old exportWindowWav: cut from the whole mono mix, optional peak normalisation, 10 ms fades, 16-bit WAV. */
export function legacyExportWindowWav(
  audio: PcmAudio,
  window: { startSec: number; endSec: number },
  normalizePeakDbfs?: number,
): Uint8Array {
  const mono = legacyMixToMono(audio);
  const from = Math.max(0, Math.min(mono.length, Math.round(window.startSec * audio.sampleRate)));
  const to = Math.max(from, Math.min(mono.length, Math.round(window.endSec * audio.sampleRate)));
  const out = mono.slice(from, to);
  if (normalizePeakDbfs !== undefined) {
    let peak = 0;
    for (const v of out) {
      peak = Math.max(peak, Math.abs(v));
    }
    if (peak > 0) {
      const gain = 10 ** (normalizePeakDbfs / 20) / peak;
      for (let i = 0; i < out.length; i++) {
        out[i] *= gain;
      }
    }
  }
  const fade = Math.min(Math.floor(out.length / 2), Math.round(0.01 * audio.sampleRate));
  for (let i = 0; i < fade; i++) {
    const g = i / fade;
    out[i] *= g;
    out[out.length - 1 - i] *= g;
  }
  const wav = new Uint8Array(44 + out.length * 2);
  const view = new DataView(wav.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((ch, i) => (wav[at + i] = ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + out.length * 2, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, out.length * 2, true);
  for (let i = 0; i < out.length; i++) {
    const s = Math.max(-1, Math.min(1, out[i]));
    view.setInt16(44 + i * 2, Math.round(s < 0 ? s * 32768 : s * 32767), true);
  }
  return wav;
}

/** The old suggestWindow's per-block clipping flags: a block holds a sample of a full-scale run of 3 or more. */
export function legacyBlockClipped(mono: Float32Array, sampleRate: number): Uint8Array {
  const blockSize = Math.max(1, Math.round(sampleRate * 0.05));
  const n = Math.floor(mono.length / blockSize);
  const clip = clippedMask(mono);
  const out = new Uint8Array(n);
  for (let b = 0; b < n; b++) {
    for (let i = b * blockSize, end = Math.min(clip.length, i + blockSize); i < end; i++) {
      if (clip[i]) {
        out[b] = 1;
        break;
      }
    }
  }
  return out;
}
