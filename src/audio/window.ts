import { type AudioAnalysis, BLOCK_SEC } from './analysis';
import { MAX_DURATION_SEC, MIN_DURATION_SEC } from './rules';
import { analyzePcm, levelsOfSums, silenceThresholdDb } from './quality';
import type { PcmAudio } from './types';

export interface AudioWindow {
  startSec: number;
  endSec: number;
}

export interface WindowSuggestion extends AudioWindow {
  /** Share (0–1) of the window's blocks that hold speech-level sound. */
  activeShare: number;
  /** Share (0–1) of the window's blocks that contain clipping. */
  clippedShare: number;
}

/** Blocks this far under the loud parts count as background. */
const BACKGROUND_BELOW_LOUD_DB = 30;
/** Level spread (standard deviation, dB) under which ~1 s of sound counts as steady, not speech. */
const STEADY_DB = 1.5;
const STEADY_HALF_BLOCKS = 10;

/**
 * Suggests the 5–30 s window (about `targetSec` long, 20 s by default) with the most speech energy and
 * the least silence and clipping. Scores 50 ms blocks: +1 for an active block (above the silence
 * threshold, within 30 dB of the loud parts, and not steady like hiss or hum) plus a small bonus for loudness, −4 for a block with clipping; the best window is found with
 * prefix sums, and its edges are moved out of words into nearby pauses where possible.
 * Returns undefined when the audio is shorter than 5 s.
 */
export function suggestWindow(audio: PcmAudio, targetSec = 20): WindowSuggestion | undefined {
  return suggestFrom(analyzePcm(audio), targetSec);
}

/** suggestWindow() on a streamed analysis (see MonoAnalyzer): the 50 ms blocks' levels and clipping. */
export function suggestFrom(a: AudioAnalysis, targetSec = 20): WindowSuggestion | undefined {
  const duration = a.length / a.sampleRate;
  if (duration < MIN_DURATION_SEC) {
    return undefined;
  }
  const levels = levelsOfSums(a.blockSums, a.blockSize);
  const sorted = Float64Array.from(levels).sort();
  // Above the silence threshold is not enough: steady hiss or hum 30 dB under the loud parts (the 95th
  // percentile of block levels) is background, not speech, and must not win over a stretch with pauses.
  const loud = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))];
  const threshold = Math.max(silenceThresholdDb(sorted), loud - BACKGROUND_BELOW_LOUD_DB);
  const n = levels.length;
  // Speech rises and falls with its syllables; hiss, hum and music beds stay level. A block whose
  // neighbourhood (about 1 s) varies by less than STEADY_DB is steady sound, not speech.
  const sum = new Float64Array(n + 1);
  const sumSq = new Float64Array(n + 1);
  for (let b = 0; b < n; b++) {
    const v = Math.max(-100, levels[b]);
    sum[b + 1] = sum[b] + v;
    sumSq[b + 1] = sumSq[b] + v * v;
  }
  const steady = (b: number): boolean => {
    const lo = Math.max(0, b - STEADY_HALF_BLOCKS);
    const hi = Math.min(n, b + STEADY_HALF_BLOCKS + 1);
    const count = hi - lo;
    const mean = (sum[hi] - sum[lo]) / count;
    return Math.sqrt(Math.max(0, (sumSq[hi] - sumSq[lo]) / count - mean * mean)) < STEADY_DB;
  };
  const score = new Float64Array(n + 1);
  const active = new Float64Array(n + 1);
  const clipped = new Float64Array(n + 1);
  for (let b = 0; b < n; b++) {
    const isActive = levels[b] >= threshold && !steady(b) ? 1 : 0;
    const hasClip = a.blockClipped[b];
    const loudness = isActive ? Math.max(0, Math.min(1, (levels[b] - threshold) / 40)) : 0;
    score[b + 1] = score[b] + isActive + 0.25 * loudness - 4 * hasClip;
    active[b + 1] = active[b] + isActive;
    clipped[b + 1] = clipped[b] + hasClip;
  }
  const wanted = Math.min(Math.max(targetSec, MIN_DURATION_SEC), MAX_DURATION_SEC, duration);
  const len = Math.max(1, Math.min(n, Math.floor(wanted / BLOCK_SEC)));
  let best = 0;
  let bestScore = -Infinity;
  for (let s = 0; s + len <= n; s++) {
    const v = score[s + len] - score[s];
    if (v > bestScore + 1e-9) {
      bestScore = v;
      best = s;
    }
  }
  // Nudge the start back (and the end forward) into a pause, by up to 0.5 s, so no word is cut.
  let start = best;
  let end = best + len;
  for (let k = 0; k < 10 && start > 0 && levels[start] >= threshold; k++) {
    start--;
  }
  for (let k = 0; k < 10 && end < n && levels[end - 1] >= threshold; k++) {
    end++;
  }
  // Stay within 30 s.
  const maxBlocks = Math.floor(MAX_DURATION_SEC / BLOCK_SEC);
  if (end - start > maxBlocks) {
    end = start + maxBlocks;
  }
  const startSec = start * BLOCK_SEC;
  const endSec = Math.min(duration, end === n ? duration : end * BLOCK_SEC);
  const blocks = end - start;
  return {
    startSec,
    endSec,
    activeShare: blocks ? (active[end] - active[start]) / blocks : 0,
    clippedShare: blocks ? (clipped[end] - clipped[start]) / blocks : 0,
  };
}
