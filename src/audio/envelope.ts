import type { AudioAnalysis } from './analysis';
import type { PcmAudio } from './types';
import { mixToMono } from './wav';

/** How many slices the trimmer's waveform gets: enough for a wide editor, small to post (a few KB of JSON). */
export const ENVELOPE_BUCKETS = 2000;

/**
 * The peak level (0–1) of `buckets` equal slices of the mono mix, rounded to 3 decimals: what a waveform
 * needs, without sending the audio. Fewer samples than buckets gives one value per sample.
 */
export function peakEnvelope(audio: PcmAudio, buckets = ENVELOPE_BUCKETS): number[] {
  const mono = audio.channels.length === 1 ? audio.channels[0] : mixToMono(audio);
  const n = Math.max(0, Math.min(Math.floor(buckets), mono.length));
  const out = new Array<number>(n);
  for (let b = 0; b < n; b++) {
    const from = Math.floor((b * mono.length) / n);
    const to = Math.max(from + 1, Math.floor(((b + 1) * mono.length) / n));
    let peak = 0;
    for (let i = from; i < to; i++) {
      const v = Math.abs(mono[i]);
      if (v > peak) {
        peak = v;
      }
    }
    out[b] = Math.round(Math.min(1, peak) * 1000) / 1000;
  }
  return out;
}

/**
 * peakEnvelope() from a streamed analysis's peaks (see MonoAnalyzer), whose runs of `peakStep` samples (1/32 of a
 * slice or less) are the finest grain kept: a slice takes the peaks of every run it touches, so its edges may reach
 * up to peakStep − 1 samples into its neighbours. With peakStep 1 it is peakEnvelope() exactly.
 */
export function envelopeOf(a: AudioAnalysis, buckets = ENVELOPE_BUCKETS): number[] {
  const { peaks, peakStep, length } = a;
  const n = Math.max(0, Math.min(Math.floor(buckets), length));
  const out = new Array<number>(n);
  for (let b = 0; b < n; b++) {
    const from = Math.floor((b * length) / n);
    const to = Math.max(from + 1, Math.floor(((b + 1) * length) / n));
    let peak = 0;
    for (let r = Math.floor(from / peakStep), end = Math.min(peaks.length, Math.ceil(to / peakStep)); r < end; r++) {
      if (peaks[r] > peak) {
        peak = peaks[r];
      }
    }
    out[b] = Math.round(Math.min(1, peak) * 1000) / 1000;
  }
  return out;
}
