import * as l10n from '@vscode/l10n';
import { SNR_CAP_DB, formatNumber, formatPercent } from '../shared/format';
import { type AudioAnalysis, FRAME_SEC, MonoAnalyzer } from './analysis';
import { CLIP_LEVEL, CLIP_RUN, measureLevels } from './levels';
import type { PcmAudio } from './types';
import { mixToMono } from './wav';

/** Lowest level reported, in dBFS: digital silence is shown as this rather than −∞. */
export const FLOOR_DB = -120;
/** A frame this far below the loud (95th percentile) frames, or below the absolute threshold, counts as silence. */
const SILENCE_BELOW_LOUD_DB = 40;
const SILENCE_ABSOLUTE_DBFS = -50;

export interface QualityReport {
  durationSec: number;
  sampleRate: number;
  channels: number;
  /** Highest sample, dBFS (0 = full scale). */
  peakDbfs: number;
  /** Share of samples (0–1) in flat runs at full scale. */
  clippingShare: number;
  /** RMS over the whole file, dBFS (a full-scale sine is −3 dBFS). */
  rmsDbfs: number;
  /** Share of 20 ms frames (0–1) that are silence. */
  silenceShare: number;
  /** Estimated noise floor: the 10th percentile of frame loudness, dBFS. */
  noiseFloorDbfs: number;
  /** Level of the loud frames (95th percentile), dBFS. */
  speechLevelDbfs: number;
  /** speechLevel − noiseFloor, dB, capped at SNR_CAP_DB (90). */
  snrDb: number;
  /** Plain-language notes on what Kling needs. They never block the upload. */
  warnings: string[];
  /** True when there is essentially nothing to hear (peak below −60 dBFS): such a file is refused. */
  silent: boolean;
}

export function toDb(x: number): number {
  return x > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(x)) : FLOOR_DB;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) {
    return FLOOR_DB;
  }
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))));
  return sorted[i];
}

/** Loudness (dBFS) of frames of `size` samples from their sums of squares, as frameLevels() computes it. */
export function levelsOfSums(sums: Float64Array, size: number): Float64Array {
  const out = new Float64Array(sums.length);
  for (let f = 0; f < sums.length; f++) {
    out[f] = toDb(Math.sqrt(sums[f] / size));
  }
  return out;
}

/** Loudness of consecutive frames of the mono mix, in dBFS. */
export function frameLevels(mono: Float32Array, sampleRate: number, frameSec = FRAME_SEC): Float64Array {
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

/** Marks the samples of the mono mix that sit in flat full-scale runs (the signature of clipping). */
export function clippedMask(samples: Float32Array): Uint8Array {
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

/** Silence threshold for frames, given the sorted frame levels. */
export function silenceThresholdDb(sortedLevels: Float64Array): number {
  return Math.max(SILENCE_ABSOLUTE_DBFS, percentile(sortedLevels, 95) - SILENCE_BELOW_LOUD_DB);
}

/**
 * Streams decoded audio held in memory through the analyzer: the mono mix (mixToMono) and, unless the decoder
 * measured them already (`source`), the levels of every channel. `peaks` as in MonoAnalyzer.
 */
export function analyzePcm(audio: PcmAudio, peaks = false): AudioAnalysis {
  const mono = mixToMono(audio);
  const analyzer = new MonoAnalyzer(audio.sampleRate, peaks, mono.length);
  analyzer.add(mono);
  return analyzer.finish(audio.source ?? measureLevels(audio.channels));
}

/** Measures a decoded sample and explains, in warnings, what would make it a better Kling sample. */
export function analyze(audio: PcmAudio): QualityReport {
  return reportOf(analyzePcm(audio));
}

/** The quality report of a streamed analysis (see MonoAnalyzer): the numbers analyze() gives for the whole mix. */
export function reportOf(a: AudioAnalysis): QualityReport {
  const frames = a.length;
  const durationSec = frames / a.sampleRate;
  const { channels, peak, sumSq, clipped } = a.source;
  const total = frames * channels;
  const levels = levelsOfSums(a.frameSums, a.frameSize);
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
  const report: QualityReport = {
    durationSec,
    sampleRate: a.sampleRate,
    channels,
    peakDbfs: toDb(peak),
    clippingShare: total ? clipped / total : 0,
    rmsDbfs: toDb(total ? Math.sqrt(sumSq / total) : 0),
    silenceShare: levels.length ? silentFrames / levels.length : 1,
    noiseFloorDbfs,
    speechLevelDbfs,
    snrDb: Math.min(SNR_CAP_DB, Math.max(0, speechLevelDbfs - noiseFloorDbfs)),
    warnings: [],
    silent: peak < 0.001,
  };
  report.warnings = qualityWarnings(report);
  return report;
}

const pct = (x: number) => formatPercent(formatNumber(x * 100, x < 0.01 ? 2 : 0));
const db = (x: number) => `${x <= FLOOR_DB ? '−∞' : formatNumber(x, 1)} dB`;

/** What the numbers mean for a Kling sample, in plain language. */
export function qualityWarnings(r: QualityReport): string[] {
  const w: string[] = [];
  if (r.silent) {
    w.push(l10n.t('The file is silent (peak {0}FS). Kling needs 5–30 s of one person speaking.', db(r.peakDbfs)));
    return w;
  }
  if (r.clippingShare > 0.001) {
    w.push(
      l10n.t(
        'Clipping: {0} of the samples are flat at full scale. Distortion is cloned too: record again with lower input gain.',
        pct(r.clippingShare),
      ),
    );
  } else if (r.peakDbfs > -0.1) {
    w.push(l10n.t('The peak reaches full scale ({0}FS); check for distortion.', db(r.peakDbfs)));
  }
  if (r.rmsDbfs < -40) {
    w.push(
      l10n.t(
        'Very quiet: RMS loudness {0}FS. Kling needs a clear voice; record closer to the microphone or normalise.',
        db(r.rmsDbfs),
      ),
    );
  }
  if (r.silenceShare > 0.4) {
    w.push(
      l10n.t(
        '{0} of the sample is silence. Kling learns from speech: trim long pauses so 5–30 s of speech remain.',
        pct(r.silenceShare),
      ),
    );
  }
  if (r.snrDb < 15) {
    w.push(
      l10n.t(
        'Little difference between the quiet and loud parts (estimated SNR {0} dB, noise floor {1}FS): background noise or music is likely. Kling needs one clean voice, with no music or noise.',
        formatNumber(r.snrDb, 0),
        db(r.noiseFloorDbfs),
      ),
    );
  } else if (r.noiseFloorDbfs > -50) {
    w.push(
      l10n.t(
        'Audible background noise (noise floor about {0}FS). A quieter room gives a cleaner voice.',
        db(r.noiseFloorDbfs),
      ),
    );
  }
  if (r.channels > 1) {
    w.push(l10n.t('{0} channels. Kling needs one speaker; a trimmed export is mixed down to mono.', r.channels));
  }
  return w;
}
